// RunningExecutable: the path of the kymo binary this process runs, for every
// command that starts kymo again (`--procs` under mpirun, `kymo bench
// scaling`, a sweep's points and their Slurm script, `kymo replay` of a
// sweep, `kymo check --bench`). /proc/self/exe, so that a kymo found on the
// PATH (argv[0] is then a bare name) or through a symlink starts itself, not
// a `kymo` in the current folder.

import Foundation

enum RunningExecutable {
    static var path: String {
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
        // Without /proc: argv[0] as given, searched on the PATH when it is a bare name.
        let a = CommandLine.arguments[0]
        if a.contains("/") { return URL(fileURLWithPath: a).resolvingSymlinksInPath().path }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = dir + "/" + a
            if FileManager.default.isExecutableFile(atPath: p) { return URL(fileURLWithPath: p).resolvingSymlinksInPath().path }
        }
        return a
    }
}
