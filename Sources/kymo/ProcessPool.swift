// ProcessPool: the one scheduler of child kymo processes — a sweep's points
// (`kymo sweep`) and their replays (`kymo replay sweep-<id>`). At most
// `parallel` children run at once, started in the order given; each runs in
// its own process group with stdin from /dev/null and stdout + stderr in its
// log. When `shouldStop` turns true no more are started and every running
// child gets exactly one SIGINT (it stops at a step boundary and keeps its
// record); the pool returns once all have exited. It reports each start and
// each exit (with the exit status, 128 + N for a signal) to its caller.

import Foundation

struct ProcessPool {
    /// One child to run: `executable arguments…`, output to `log`.
    struct Job {
        var id: Int
        var executable: String
        var arguments: [String]
        var log: String
    }

    var parallel: Int
    var shouldStop: () -> Bool
    /// How long to sleep between polls while children run.
    var pollInterval: useconds_t = 50_000

    /// Runs `jobs`; `started(job, pid)` or `failedToStart(job, error)` as each
    /// begins, `finished(job, status)` as each ends.
    func run(_ jobs: [Job], started: (Job, pid_t) -> Void = { _, _ in },
             failedToStart: (Job, Error) -> Void, finished: (Job, Int32) -> Void) {
        var pending = jobs[...]
        var running: [pid_t: Job] = [:]
        var forwarded = false
        while !pending.isEmpty || !running.isEmpty {
            while !shouldStop() && running.count < max(1, parallel), let job = pending.popFirst() {
                do {
                    let pid = try ProcessPool.spawn(job.executable, job.arguments, log: job.log)
                    running[pid] = job
                    started(job, pid)
                } catch {
                    failedToStart(job, error)
                }
            }
            if shouldStop() && !forwarded {
                forwarded = true
                pending.removeAll()
                for pid in running.keys { kill(pid, SIGINT) }
            }
            if running.isEmpty { break }
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid == 0 || (pid < 0 && errno == EINTR) {
                usleep(pollInterval)
                continue
            }
            if pid < 0 { break }
            guard let job = running.removeValue(forKey: pid) else { continue }
            finished(job, (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f))
        }
    }

    /// Starts `exe args…` in a process group of its own (a terminal's Ctrl-C
    /// reaches only the parent, which forwards it), stdin /dev/null, stdout and
    /// stderr to `log` (created or truncated), with no signal blocked.
    static func spawn(_ exe: String, _ args: [String], log: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attr, 0)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        let argv: [UnsafeMutablePointer<CChar>?] = ([exe] + args).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, exe, &actions, &attr, argv, environ)
        guard rc == 0 else { throw SpawnError(executable: exe, log: log, reason: String(cString: strerror(rc))) }
        return pid
    }

    struct SpawnError: Error, CustomStringConvertible {
        var executable: String
        var log: String
        var reason: String
        var description: String { "cannot start \(executable) (log \(log)): posix_spawn: \(reason)" }
    }
}
