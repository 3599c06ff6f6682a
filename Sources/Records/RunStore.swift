// RunStore: the runs folder on disk. `runs/<id>/record.json` (next to
// the notebook, or under `--runs DIR`), `runs/<id>/artifacts/` (copies of the
// files a run wrote) and `runs/<id>/checkpoints/`. Every write is atomic —
// a temporary file in the same folder, fsync, rename, fsync of the folder —
// so a process killed at any moment leaves the previous valid record. Reading
// refuses truncated, hand-edited and newer-format records, and reads a
// `running` record whose writer is gone as `interrupted`.
// Deliberately not: a database, locking between concurrent writers of one
// run (a run has exactly one writer), garbage collection of old runs.

import Foundation
import KymoBase

public struct RunStore {
    /// The runs folder (holding one folder per run).
    public let folder: String

    public init(folder: String) {
        self.folder = folder
    }

    /// `runs/` beside the notebook, or `runs` as given.
    public static func folder(forNotebook notebookPath: String, runs: String?) -> String {
        if let runs { return runs }
        let dir = URL(fileURLWithPath: notebookPath).deletingLastPathComponent().path
        return dir == "/" ? "/runs" : dir + "/runs"
    }

    /// Free space below which a run is refused before it starts.
    public static let minimumFreeBytes: Int64 = 16 << 20

    public func runFolder(_ id: String) -> String { folder + "/" + id }
    public func recordPath(_ id: String) -> String { runFolder(id) + "/record.json" }

    // MARK: preparing

    /// Creates the runs folder if needed and proves it takes a file and has
    /// room, so that no work is lost to a record that cannot be written.
    public func prepare(needing bytes: Int64 = RunStore.minimumFreeBytes) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw RecordError.notWritable(folder: folder, detail: RunStore.reason(error))
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw RecordError.notWritable(folder: folder, detail: "it is not a folder")
        }
        let probe = folder + "/.kymo-write-probe-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw RecordError.notWritable(folder: folder, detail: String(cString: strerror(errno))) }
        let byte: [UInt8] = [0x0A]
        let wrote = Foundation.write(fd, byte, 1)
        let err = errno
        close(fd)
        unlink(probe)
        guard wrote == 1 else {
            if err == ENOSPC { throw RecordError.diskFull(folder: folder, available: 0, needed: bytes) }
            throw RecordError.notWritable(folder: folder, detail: String(cString: strerror(err)))
        }
        if let free = RunStore.freeBytes(folder), free < bytes {
            throw RecordError.diskFull(folder: folder, available: free, needed: bytes)
        }
    }

    /// Bytes available to this user on the file system holding `path`.
    public static func freeBytes(_ path: String) -> Int64? {
        var s = statvfs()
        guard statvfs(path, &s) == 0 else { return nil }
        return Int64(s.f_bavail) * Int64(s.f_frsize)
    }

    /// Makes `runs/<id>/` (and its `artifacts/`), choosing a fresh id if the
    /// record's is taken. Updates `record.id`.
    public func createRunFolder(for record: inout RunRecord, start: Date) throws {
        for salt in 0..<100 {
            if salt > 0 {
                record.id = RunID.make(start: start, notebookSHA256: record.notebook.sha256, seed: record.seed,
                                       overrides: record.overrides, salt: salt)
            }
            let dir = runFolder(record.id)
            if mkdir(dir, 0o755) == 0 {
                _ = mkdir(dir + "/artifacts", 0o755)
                return
            }
            if errno != EEXIST { throw RecordError.notWritable(folder: folder, detail: String(cString: strerror(errno))) }
        }
        throw RecordError.notWritable(folder: folder, detail: "could not choose a fresh run id")
    }

    // MARK: writing

    /// Seals the record and replaces `runs/<id>/record.json` atomically.
    public func write(_ record: inout RunRecord) throws {
        let data: Data
        do { data = try RecordSeal.fileBytes(&record) } catch {
            throw RecordError.invalid(path: recordPath(record.id), detail: "cannot encode: \(error)")
        }
        try RunStore.writeAtomically(data, to: recordPath(record.id))
    }

    /// Replaces `path` atomically (`AtomicFile`); a failure leaves the
    /// previous file untouched and names the folder (a full disk as such).
    static func writeAtomically(_ data: Data, to path: String, fault: ((AtomicFile.Stage) throws -> Void)? = nil) throws {
        do { try AtomicFile.write(data, to: path, fault: fault) } catch let f as AtomicFile.Failure {
            throw writeError(f.code, folder: f.folder)
        }
    }

    static func writeError(_ code: Int32, folder: String) -> RecordError {
        if code == ENOSPC || code == EDQUOT {
            return .diskFull(folder: folder, available: freeBytes(folder) ?? 0, needed: 0)
        }
        return .notWritable(folder: folder, detail: String(cString: strerror(code)))
    }

    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedDescription
    }

    /// Copies `source` into the run folder at `relative` (atomically), hashing
    /// it on the way. Returns the SHA-256 and size.
    public func copyIntoRun(_ id: String, source: String, relative: String) throws -> (sha256: String, size: Int) {
        let target = runFolder(id) + "/" + relative
        let dir = URL(fileURLWithPath: target).deletingLastPathComponent().path
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw RecordError.notWritable(folder: dir, detail: RunStore.reason(error))
        }
        guard let data = FileManager.default.contents(atPath: source) else {
            throw RecordError.unreadable(path: source, detail: "cannot read the file the run wrote")
        }
        try RunStore.writeAtomically(data, to: target)
        return (RecordHash.hex(of: data), data.count)
    }

    /// A path inside `artifacts/` for a file the notebook wrote: absolute
    /// paths lose their leading `/`, `..` and `.` components are dropped.
    public static func artifactCopyPath(for path: String) -> String {
        let parts = path.split(separator: "/").filter { $0 != ".." && $0 != "." && !$0.isEmpty }
        return "artifacts/" + (parts.isEmpty ? "unnamed" : parts.joined(separator: "/"))
    }

    // MARK: reading

    /// Reads and verifies a record file. A `running` record whose process is
    /// gone comes back as `interrupted`.
    public static func read(recordAt path: String) throws -> RunRecord {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
                throw RecordError.unreadable(path: path, detail: isDir.boolValue ? "it is a folder" : "permission denied")
            }
            throw RecordError.unreadable(path: path, detail: "no such file")
        }
        var record = try decode(data, path: path)
        if record.status == .running, let p = record.process,
           !ProcessCheck.isAlive(p, lease: Lease.read(runFolder: URL(fileURLWithPath: path).deletingLastPathComponent().path)) {
            record.status = .interrupted
        }
        return record
    }

    /// Decodes and verifies record bytes (format, structure, seal).
    public static func decode(_ data: Data, path: String) throws -> RunRecord {
        if data.count > RecordLimits.maxRecordBytes {
            throw RecordError.refused(path: path, detail: "it is \(data.count) bytes; a record is at most \(RecordLimits.maxRecordBytes) bytes")
        }
        if data.isEmpty || JSONShape.endsEarly(data) { throw RecordError.truncated(path: path) }
        if JSONShape.depth(data) > RecordLimits.maxDepth {
            throw RecordError.refused(path: path, detail: "its JSON nests deeper than \(RecordLimits.maxDepth) levels")
        }
        // Parsed once, strictly: a key twice in one object would let two readers read two records.
        do { try StrictJSON.check(data) } catch let p as StrictJSON.Problem {
            throw RecordError.refused(path: path, detail: "its JSON is ambiguous: \(p)")
        }
        let top: Any
        do { top = try JSONSerialization.jsonObject(with: data) } catch {
            throw RecordError.invalid(path: path, detail: "not JSON (\(RunStore.reason(error)))")
        }
        guard let object = top as? [String: Any] else { throw RecordError.invalid(path: path, detail: "not a JSON object") }
        guard let format = object["format"] as? Int else {
            throw RecordError.invalid(path: path, detail: "it has no integer 'format' field")
        }
        if format > RunRecord.currentFormat {
            throw RecordError.newerFormat(path: path, found: format, supported: RunRecord.currentFormat)
        }
        guard format >= 1 else { throw RecordError.invalid(path: path, detail: "format \(format) does not exist") }
        let record: RunRecord
        do { record = try JSONDecoder().decode(RunRecord.self, from: data) } catch {
            throw RecordError.invalid(path: path, detail: describe(error))
        }
        guard let expected = try? RecordSeal.seal(of: record), expected == record.seal else {
            throw RecordError.handEdited(path: path)
        }
        try RecordLimits.check(record, path: path)
        if let s = record.signature, case .invalid(let why) = RecordSigning.verify(s, seal: record.seal) {
            throw RecordError.badSignature(path: path, detail: why)
        }
        return record
    }

    static func describe(_ error: Error) -> String {
        func at(_ path: [CodingKey]) -> String {
            path.isEmpty ? "the top level" : path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error as? DecodingError {
        case let .keyNotFound(key, c)?: return "\(at(c.codingPath + [key])) is missing"
        case let .typeMismatch(_, c)?: return "\(at(c.codingPath)) has the wrong type (\(c.debugDescription))"
        case let .valueNotFound(_, c)?: return "\(at(c.codingPath)) is null"
        case let .dataCorrupted(c)?: return "\(at(c.codingPath)): \(c.debugDescription)"
        default: return "\(error)"
        }
    }

    // MARK: finding runs

    /// The run folder a reference names: a run folder or record path, an id,
    /// a unique id prefix, a unique substring of an id, `last` or `last~N`, in this store.
    public func resolve(_ reference: String) throws -> String {
        try RunStore.resolve(reference, in: [self])
    }

    /// The run folder a reference names in any of `stores` (a run handle):
    /// a run folder or record path; an id; `last` (the newest run of all the
    /// folders) or `last~N` (N before it); a unique id prefix; else a unique
    /// substring of an id (its random suffix, say). A handle several runs
    /// match is refused, naming them.
    public static func resolve(_ reference: String, in stores: [RunStore]) throws -> String {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        let folders = stores.map(\.folder).joined(separator: ", ")
        if stores.count == 1 || reference.contains("/") || reference.hasSuffix(".json") {
            if let found = try stores.first?.resolvePath(reference) { return found }
        }
        var all: [(id: String, folder: String)] = []
        for store in stores { for id in store.runIDs() { all.append((id, store.runFolder(id))) } }
        all = RunStore.chronological(all)
        if let back = RunStore.lastOffset(reference) {
            guard back < all.count else {
                throw RecordError.notFound(reference: reference, folder: all.isEmpty ? folders : folders + " (\(all.count) run\(all.count == 1 ? "" : "s"))")
            }
            return all[all.count - 1 - back].folder
        }
        let exact = all.filter { $0.id == reference }
        let prefixed = all.filter { $0.id.hasPrefix(reference) }
        let inside = reference.isEmpty ? [] : all.filter { $0.id.contains(reference) }
        for matches in [exact, prefixed, inside] where !matches.isEmpty {
            if matches.count > 1 { throw RecordError.ambiguous(reference: reference, candidates: matches.map(\.id)) }
            return matches[0].folder
        }
        // A folder of that name in the current directory.
        if fm.fileExists(atPath: reference + "/record.json", isDirectory: &isDir) { return reference }
        throw RecordError.notFound(reference: reference, folder: folders)
    }

    /// Runs oldest first: ids begin with their start time to the second; runs
    /// started in the same second are ordered by their records' `startedAt`
    /// (milliseconds), read only for those.
    public static func chronological(_ runs: [(id: String, folder: String)]) -> [(id: String, folder: String)] {
        let second = { (id: String) in String(id.prefix(15)) }
        var count: [String: Int] = [:]
        for r in runs { count[second(r.id), default: 0] += 1 }
        var started: [String: String] = [:]
        for r in runs where count[second(r.id)]! > 1 {
            started[r.id] = (try? RunStore.read(recordAt: r.folder + "/record.json"))?.startedAt ?? ""
        }
        return runs.sorted { a, b in
            let (sa, sb) = (second(a.id), second(b.id))
            if sa != sb { return sa < sb }
            let (ta, tb) = (started[a.id] ?? "", started[b.id] ?? "")
            return ta != tb ? ta < tb : a.id < b.id
        }
    }

    /// `last` → 0, `last~N` → N; nil for anything else.
    static func lastOffset(_ reference: String) -> Int? {
        if reference == "last" { return 0 }
        guard reference.hasPrefix("last~"), let n = Int(reference.dropFirst(5)), n >= 0 else { return nil }
        return n
    }

    /// A reference that is a path (it has a `/` or ends in `.json`): its run folder; nil for an id-like reference.
    func resolvePath(_ reference: String) throws -> String? {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if reference.contains("/") || reference.hasSuffix(".json") {
            if fm.fileExists(atPath: reference, isDirectory: &isDir) {
                if isDir.boolValue { return reference.hasSuffix("/") ? String(reference.dropLast()) : reference }
                return URL(fileURLWithPath: reference).deletingLastPathComponent().path
            }
            throw RecordError.notFound(reference: reference, folder: URL(fileURLWithPath: reference).deletingLastPathComponent().path)
        }
        return nil
    }

    /// Loads the record a reference names.
    public func load(_ reference: String) throws -> (folder: String, record: RunRecord) {
        let dir = try resolve(reference)
        return (dir, try RunStore.read(recordAt: dir + "/record.json"))
    }

    /// Names of the run folders (those holding a record.json), oldest first.
    public func runIDs() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { !$0.hasPrefix(".") && FileManager.default.fileExists(atPath: folder + "/" + $0 + "/record.json") }
            .sorted()
    }

    /// Every run in the folder, oldest first, each read or with the reason it could not be.
    public func list() -> [(id: String, record: Result<RunRecord, RecordError>)] {
        runIDs().map { id in
            do { return (id, .success(try RunStore.read(recordAt: recordPath(id)))) } catch let e as RecordError {
                return (id, .failure(e))
            } catch {
                return (id, .failure(.unreadable(path: recordPath(id), detail: "\(error)")))
            }
        }
    }

    /// The folder's readable records, oldest first by start time (ids of one
    /// second sort by their random suffix, not by when they started), so the
    /// last one matching is the newest.
    public func recordsByStart() -> [RunRecord] {
        list().compactMap { try? $0.record.get() }.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
    }
}

/// Whether the process that wrote a record still runs.

/// Whether JSON text ends inside a string or with brackets still open.
enum JSONShape {
    /// The deepest nesting of brackets outside strings.
    static func depth(_ data: Data) -> Int {
        var depth = 0, deepest = 0, inString = false, escaped = false
        for b in data {
            if inString {
                if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
                continue
            }
            switch b {
            case 0x22: inString = true
            case 0x7B, 0x5B: depth += 1; deepest = max(deepest, depth)
            case 0x7D, 0x5D: depth -= 1
            default: break
            }
        }
        return deepest
    }

    static func endsEarly(_ data: Data) -> Bool {
        var depth = 0, inString = false, escaped = false, sawValue = false
        for b in data {
            if inString {
                if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
                continue
            }
            switch b {
            case 0x22: inString = true; sawValue = true
            case 0x7B, 0x5B: depth += 1; sawValue = true
            case 0x7D, 0x5D: depth -= 1
            case 0x20, 0x0A, 0x0D, 0x09: break
            default: sawValue = true
            }
        }
        return inString || depth > 0 || !sawValue
    }
}
