// HostEnvironment: what only the host knows and the runtime is given as
// values — the build stamp (Kymo version and the commit it was built from),
// the environment fingerprint (OS, kernel, CPU, BLAS, threads, compiler) and
// the figure writer (Cairo). The runtime never reads /proc or
// renders by itself; records and sessions take these from here.

import Figures
import FiguresCairo
import Foundation
import KymoLanguage
import Notebook
import Records
import TensorEngine

enum HostEnvironment {
    static let version = "0.1.0"

    /// `kymo --version`: the version, the build commit, the numerics
    /// fingerprint (what decides the bits) and the GEMM path (what does not).
    static func versionText() -> String {
        Engine.configure(threads: 1)
        return """
            kymo \(version)
            commit   \(commit)
            numerics \(Numerics.version) (\(Numerics.rules))
            gemm     \(Numerics.gemmPath) on \(Numerics.cpuName) (speed only, never bits)
            swift    \(swiftVersion)
            """
    }

    /// `kymo --version --json` (JSONOutput): the same facts as fields.
    struct VersionJSON: Encodable {
        var format = "kymo-version-1"
        var version: String
        var commit: String
        var numerics: String
        var rules: String
        var gemm: String
        var cpu: String
        var swift: String
    }

    static func versionJSON() -> VersionJSON {
        Engine.configure(threads: 1)
        return VersionJSON(version: version, commit: commit, numerics: Numerics.version, rules: Numerics.rules,
                           gemm: Numerics.gemmPath, cpu: Numerics.cpuName, swift: swiftVersion)
    }

    /// The build and environment of this process now (call after `Engine.configure`).
    static func stamp() -> HostStamp {
        HostStamp(build: BuildStamp(version: version, commit: commit), numerics: Numerics.version, environment: fingerprint())
    }

    /// Figures reach files through the Cairo renderer, saying they were made by "Kymo <version>".
    static let figureWriter: FigureWriter = { figure, path in
        var f = figure
        f.metadata.creator = "Kymo \(version)"
        try f.save(to: path)
    }

    /// `KYMO_BUILD_COMMIT` if set; else the commit this executable was built
    /// from, `-dirty` when tracked files had changes, `unknown` when it was
    /// built outside a git checkout (`buildCommit`, written at build time by
    /// the BuildStamp plugin: the source tree's HEAD when `kymo` runs may be
    /// a later commit than the one it was built from).
    static let commit: String = {
        if let c = ProcessInfo.processInfo.environment["KYMO_BUILD_COMMIT"], !c.isEmpty { return c }
        return buildCommit
    }()

    /// This process's environment now.
    static func fingerprint() -> EnvironmentFingerprint {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let config = OpenBLAS.config
        var e = EnvironmentFingerprint(
            os: osName(), kernel: unameLine(), cpuModel: cpuModel(cpu), cpuFlags: cpuFlags(cpu),
            cpuCount: ProcessInfo.processInfo.activeProcessorCount,
            blasLibrary: config.hasPrefix("OpenBLAS") ? "OpenBLAS" : (config.split(separator: " ").first.map(String.init) ?? "unknown"),
            blasVersion: blasVersion(config), blasConfig: config, blasKernel: OpenBLAS.core,
            blasCoreType: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"],
            threads: Engine.threads, processes: MPIJob.processes, swiftVersion: swiftVersion)
        e.gemmPath = Numerics.gemmPath
        return e
    }

    static func osName() -> String {
        guard let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
        }
        return "unknown"
    }

    static func unameLine() -> String {
        var u = utsname()
        guard uname(&u) == 0 else { return "unknown" }
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
        return "\(field(u.sysname)) \(field(u.release)) \(field(u.machine))"
    }

    static func cpuModel(_ cpuinfo: String) -> String {
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("model name") || line.hasPrefix("Model") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }

    static func cpuFlags(_ cpuinfo: String) -> [String] {
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("flags") || line.hasPrefix("Features") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let present = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
            return EnvironmentFingerprint.flagsOfInterest.filter(present.contains)
        }
        return []
    }

    /// `0.3.21` from `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64`.
    static func blasVersion(_ config: String) -> String {
        let words = config.split(separator: " ")
        guard words.count >= 2, words[1].first?.isNumber == true else { return "unknown" }
        return String(words[1])
    }


    /// The compiler that built this binary.
    static let swiftVersion: String = {
        #if compiler(>=6.5)
        return "6.5 or newer"
        #elseif compiler(>=6.4)
        return "6.4"
        #elseif compiler(>=6.3.2)
        return "6.3.2"
        #elseif compiler(>=6.3.1)
        return "6.3.1"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0 or older"
        #endif
    }()
}
