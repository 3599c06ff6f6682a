// CallContext+Session: what Kymo's built-ins reach through the language's
// `CallContext` — the session behind the call, its random streams, progress,
// the path policy and the record of the files a run reads.

import Foundation
import KymoLanguage
import Records
import TensorEngine

/// What a built-in does with a path.
public enum PathAccess { case read, write }

extension CallContext {
    /// The session behind the call: Kymo's built-ins run only in a `Session`.
    public var session: Session {
        guard let session = host as? Session else { preconditionFailure("Kymo's built-ins run only in a Session") }
        return session
    }

    /// The next random stream of `consumer` (see `RandomKeys`: keyed by the
    /// consumer and its count since the last `seed`, never by the text).
    public func randomStream(_ consumer: String) -> RandomStream {
        session.randomKeys.stream(consumer: consumer)
    }

    /// A progress line for long work (training, evaluation, data generation).
    public func progress(_ title: String, total: Int) -> ProgressHandle {
        ProgressHandle(reporter: session.options.progress, title: title, total: total)
    }

    /// A path as the notebook means it: relative paths are relative to the
    /// session's working directory. Confined sessions (`SessionOptions.paths`)
    /// map a write inside their root and check a read against what they may
    /// read; the one place built-ins turn a notebook's path into a file.
    public func resolvePath(_ path: String, for access: PathAccess = .read) throws -> String {
        if let bad = RecordLimits.firstControl(path) {
            throw BuiltinError("path \(RecordLimits.quoted(path)) holds the control character U+\(String(format: "%04X", bad))", kind: .range)
        }
        let policy = session.options.paths
        let file = absolute(path)
        switch access {
        case .write:
            guard let root = policy.writeRoot else { session.writtenFiles[file] = file; return file }
            // Relative paths keep the notebook's own layout inside the root.
            let target = try policy.writeTarget(for: path, root: root)
            session.writtenFiles[file] = target
            return target
        case .read:
            if let mapped = session.writtenFiles[file] { return mapped }
            if let found = policy.redirects[file] { return found }
            guard policy.mayRead(file) else {
                throw BuiltinError("refusing to read \(file): a confined run reads only its recorded inputs, the data folder and the files it wrote")
            }
            if let special = SpecialFile.kind(file) {
                throw BuiltinError("refusing to read \(file): it is \(special), not a data file")
            }
            return file
        }
    }

    /// `path` against the working directory.
    func absolute(_ path: String) -> String {
        guard !path.hasPrefix("/"), let base = session.options.workingDirectory, !base.isEmpty else { return path }
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }

    /// The file a built-in reads for the notebook's `path`, checked by the
    /// path policy and recorded as an input of the run (`kind`: `tensors`,
    /// `weights`, `sequences`, `digits`, `notebook`).
    public func inputFile(_ path: String, kind: String) throws -> String {
        let file = try resolvePath(path)
        try fileRead(name: path, file: file, kind: kind)
        return file
    }

    /// Tells the run record that a built-in reads `file`, hashed once per
    /// session (`hash`: even when unrecorded); its SHA-256 when hashed.
    @discardableResult
    func fileRead(name: String, file: String, kind: String, hash: Bool = false) throws -> String? {
        // A file this session wrote is an output read back, not an input.
        let hooks = session.writtenFiles.values.contains(file) ? nil : session.options.recordHooks
        guard hooks != nil || hash, FileManager.default.fileExists(atPath: file) else { return nil }
        do {
            let (sha, size) = try session.fileHashes.hash(file)
            try hooks?.fileRead(name: name, file: file, kind: kind, sha256: sha, size: size)
            return sha
        } catch { throw BuiltinError("\(error)") }
    }
}
