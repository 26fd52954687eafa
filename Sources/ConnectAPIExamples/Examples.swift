import ConnectAPI
