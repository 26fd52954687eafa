import ConnectCLICore

await SwiftConnectCLI.main()
