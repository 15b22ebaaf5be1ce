// The test suites exercise POSIX behaviour (modes, sparse files, processes); they run on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
