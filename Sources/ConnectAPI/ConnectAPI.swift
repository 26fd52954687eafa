// The module ConnectAPI: see the files beside this one.
