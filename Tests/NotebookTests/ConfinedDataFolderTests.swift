// Confined sessions (`kymo replay`, `kymo run --confined`) read from "the data
// folder" the docs describe — the user's data folder — and the notebook's own
// folder, not the `data/` of the current folder and of every folder above it
// (which unconfined runs search for digits).
import Foundation
import XCTest
import Records
import TestSupport
import Datasets
import KymoLanguage
@testable import Notebook

final class ConfinedDataFolderTests: XCTestCase {
    func testConfinedReadsUseTheUsersDataFolderOnly() throws {
        let env = ["KYMO_DATA": "/srv/kymo-data", "HOME": "/home/ann"]
        XCTAssertEqual(PathPolicy.confinedDataFolders(environment: env), ["/srv/kymo-data"])
        XCTAssertEqual(PathPolicy.confinedDataFolders(environment: ["HOME": "/home/ann"]), ["/home/ann/.local/share/kymo"])
        let cwd = FileManager.default.currentDirectoryPath
        let policy = PathPolicy.confinedRun(notebookFolder: "/work/nb")
        XCTAssertEqual(policy.readableFolders, PathPolicy.confinedDataFolders() + ["/work/nb"])
        for above in Digits.dataDirectories(from: cwd, environment: [:]) {
            XCTAssertFalse(policy.readableFolders.contains(above), "\(above) is readable in a confined run")
        }
        // A file in the data/ of a folder above the notebook's is refused.
        let dir = RecordFixtures.scratch()
        let nb = dir + "/project/nb"
        try FileManager.default.createDirectory(atPath: nb, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/project/data", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/project/data/private.safetensors"))
        var options = SessionOptions()
        options.workingDirectory = nb
        options.paths = .confinedRun(notebookFolder: nb)
        options.paths.writeRoot = dir + "/root"
        try FileManager.default.createDirectory(atPath: dir + "/root", withIntermediateDirectories: true)
        let r = Session(options: options).evaluate(input: "let t = load_tensors(\"../data/private.safetensors\")")
        XCTAssertEqual(r.status, .failed)
        XCTAssertTrue(r.diagnostics.map(DiagnosticFormatter.render).joined().contains("refusing to read"))
    }
}

/// `kymo resume` reads checkpoints under the run folder's path policy.
final class ResumeCheckpointPolicyTests: XCTestCase {
    func testACheckpointThatIsASymlinkIsNotContinuedFrom() throws {
        let dir = RecordFixtures.scratch()
        let runs = dir + "/runs"
        var o = RecordedRunOptions(notebookPath: "nb.kymo", text: "%% A\nlet a = 1\n%% B\nprint(a)\n", workingDirectory: dir,
                                   host: .fixture)
        o.runsFolder = runs
        var killed = try RecordRunner.run(o).record
        killed.status = .interrupted
        killed.cells = [killed.cells[0]]
        let store = RunStore(folder: runs)
        let folder = store.runFolder(killed.id)
        let secret = dir + "/secret.ckpt"
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: secret))
        try FileManager.default.createDirectory(atPath: folder + "/checkpoints", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder + "/checkpoints/train1.ckpt", withDestinationPath: secret)
        killed.checkpoints = [CheckpointRecord(cell: 1, site: "train1", step: 3, path: "checkpoints/train1.ckpt", size: 16,
                                               sha256: RecordHash.hex(of: Data("not a checkpoint".utf8)), at: killed.startedAt)]
        try store.write(&killed)
        let before = try Data(contentsOf: URL(fileURLWithPath: folder + "/record.json"))
        XCTAssertThrowsError(try Replayer.resume(folder: folder, host: .fixture)) { e in
            XCTAssertTrue("\(e)".contains("its checkpoint \"checkpoints/train1.ckpt\" is a symlink"), "\(e)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: folder + "/record.json")), before, "the record is untouched")
        // A regular file there resumes.
        try FileManager.default.removeItem(atPath: folder + "/checkpoints/train1.ckpt")
        try FileManager.default.copyItem(atPath: secret, toPath: folder + "/checkpoints/train1.ckpt")
        XCTAssertEqual(try Replayer.resume(folder: folder, host: .fixture).record.status, .complete)
    }
}
