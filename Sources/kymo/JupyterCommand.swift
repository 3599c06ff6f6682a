// `kymo jupyter install [--user | --sys-prefix | --prefix DIR]` and
// `kymo jupyter uninstall`: the kernelspec `kymo` (kernel.json plus logos)
// where `jupyter kernelspec list` finds it. --user (the default) writes under
// $JUPYTER_DATA_DIR, else ~/.local/share/jupyter; --sys-prefix under the
// Python environment's prefix ($VIRTUAL_ENV, $CONDA_PREFIX, else python3's
// sys.prefix); --prefix DIR under DIR/share/jupyter. The kernelspec starts
// this very binary (`/proc/self/exe`), so it runs the build that installed it.

import ArgumentParser
import Foundation
import KymoBase

struct JupyterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jupyter", abstract: "Install or remove the Jupyter kernelspec `kymo`.",
        subcommands: [JupyterInstall.self, JupyterUninstall.self])
}

struct KernelspecPlace: ParsableArguments {
    @Flag(help: "Install for this user: $JUPYTER_DATA_DIR, else ~/.local/share/jupyter (the default).")
    var user = false

    @Flag(help: "Install into the current Python environment's prefix (sys.prefix/share/jupyter).")
    var sysPrefix = false

    @Option(help: ArgumentHelp("Install under DIR/share/jupyter.", valueName: "dir"))
    var prefix: String?

    func validate() throws {
        if [user, sysPrefix, prefix != nil].filter({ $0 }).count > 1 {
            throw ValidationError("choose one of --user, --sys-prefix and --prefix DIR")
        }
    }

    /// The `kernels/kymo` folder.
    func folder() throws -> String {
        let env = ProcessInfo.processInfo.environment
        let data: String
        if let prefix {
            data = URL(fileURLWithPath: prefix).appendingPathComponent("share/jupyter").path
        } else if sysPrefix {
            guard let p = env["VIRTUAL_ENV"] ?? env["CONDA_PREFIX"]
                    ?? captureOutput(of: "/usr/bin/env", ["python3", "-c", "import sys; print(sys.prefix)"])?
                        .trimmingCharacters(in: .whitespacesAndNewlines),
                  !p.isEmpty else {
                throw ValidationError("--sys-prefix: no Python environment found (no $VIRTUAL_ENV or $CONDA_PREFIX, and python3 did not answer)")
            }
            data = URL(fileURLWithPath: p).appendingPathComponent("share/jupyter").path
        } else if let d = env["JUPYTER_DATA_DIR"], !d.isEmpty {
            data = d
        } else {
            let base = env["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
                ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share").path
            data = URL(fileURLWithPath: base).appendingPathComponent("jupyter").path
        }
        return URL(fileURLWithPath: data).appendingPathComponent("kernels/kymo").path
    }
}

struct JupyterInstall: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "install", abstract: "Write the kernelspec `kymo`.")
    @OptionGroup var place: KernelspecPlace

    func run() throws {
        let folder = try place.folder()
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try AtomicFile.write(Array(Kernelspec.json(executable: Sweep.executablePath()).utf8),
                                 to: folder + "/kernel.json")
            try AtomicFile.write(Array(Kernelspec.logoSVG.utf8), to: folder + "/logo-svg.svg")
            try AtomicFile.write(Kernelspec.logoPNG(size: 64), to: folder + "/logo-64x64.png")
            try AtomicFile.write(Kernelspec.logoPNG(size: 32), to: folder + "/logo-32x32.png")
        } catch {
            FileHandle.standardError.write(Data("kymo jupyter install: cannot write \(folder): \(error)\n".utf8))
            throw ExitStatus.couldNot.code
        }
        print("installed the Jupyter kernel 'kymo' (Kymo) in \(folder)")
    }
}

struct JupyterUninstall: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "uninstall", abstract: "Remove the kernelspec `kymo`.")
    @OptionGroup var place: KernelspecPlace

    func run() throws {
        let folder = try place.folder()
        guard FileManager.default.fileExists(atPath: folder + "/kernel.json") else {
            FileHandle.standardError.write(Data("kymo jupyter uninstall: no kernelspec 'kymo' in \(folder)\n".utf8))
            throw ExitStatus.failed.code
        }
        do { try FileManager.default.removeItem(atPath: folder) } catch {
            FileHandle.standardError.write(Data("kymo jupyter uninstall: cannot remove \(folder): \(error)\n".utf8))
            throw ExitStatus.couldNot.code
        }
        print("removed the Jupyter kernel 'kymo' from \(folder)")
    }
}

/// The kernelspec's files.
enum Kernelspec {
    static func json(executable: String) -> String {
        let spec: [String: Any] = [
            "argv": [executable, "kernel", "-f", "{connection_file}"],
            "display_name": "Kymo", "language": "kymo", "interrupt_mode": "message",
            "metadata": ["debugger": false],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: spec, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A white K on Kymo's dark teal, with three frames behind it.
    static let logoSVG = """
        <svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
        <rect width="64" height="64" rx="10" fill="#134e5e"/>
        <path d="M16 12h8v40h-8z M24 32l18-20h10l-18 20 18 20h-10z" fill="#ffffff"/>
        </svg>

        """

    /// The same logo as a PNG (RGB, stored deflate blocks: no compressor needed).
    static func logoPNG(size: Int) -> [UInt8] {
        var raw: [UInt8] = []
        for y in 0..<size {
            raw.append(0)  // filter: none
            for x in 0..<size {
                // Scale to the 64-unit design.
                let u = (Double(x) + 0.5) * 64 / Double(size), v = (Double(y) + 0.5) * 64 / Double(size)
                let bar = u >= 16 && u < 24 && v >= 12 && v < 52
                let d = abs(v - 32)  // the arms: from (24,32) out to (42..52, 12) and (42..52, 52)
                let arm = u >= 24 && u < 52 && v >= 12 && v < 52 && (u - 24) >= d * 0.9 && (u - 24) < d * 0.9 + 10
                raw += bar || arm ? [255, 255, 255] : [0x13, 0x4E, 0x5E]
            }
        }
        func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let typed = Array(type.utf8) + body
            return be32(UInt32(body.count)) + typed + be32(CRC32.ieee(typed))
        }
        // zlib stream: header, stored blocks of at most 65535 bytes, Adler-32.
        var z: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let n = min(65535, raw.count - start)
            let last: UInt8 = start + n == raw.count ? 1 : 0
            z += [last, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            z += raw[start..<(start + n)]
            start += n
        } while start < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        z += be32(b << 16 | a)
        let header = be32(UInt32(size)) + be32(UInt32(size)) + [8, 2, 0, 0, 0]  // 8-bit RGB
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", z) + chunk("IEND", [])
    }
}
