// Moving Fashion-MNIST (OpenSTL's mfmnist): moving_mnist(source: "fashion")
// reads Fashion-MNIST's IDX files from Debian's dataset-fashion-mnist package
// (scripts/setup.sh installs it; missing, the test fails in CI and is skipped
// elsewhere) and describes its sequences as fashion items.
import Foundation
import TensorEngine
import XCTest
@testable import Datasets

final class FashionMNISTTests: XCTestCase {
    func testFashionSourceFromTheDebianPackage() throws {
        guard Digits.hasIDX(DigitSource.debianFashionDirectory) else {
            let why = "no Fashion-MNIST IDX files in \(DigitSource.debianFashionDirectory) (apt-get install dataset-fashion-mnist)"
            if ProcessInfo.processInfo.environment["CI"] == "true" { return XCTFail(why) }
            throw XCTSkip(why)
        }
        let source = try DigitSource(parsing: "fashion")
        let files = Digits.resolve(source).files
        XCTAssertEqual(files.count, 4, "\(files)")
        let split = try Digits.load(source)
        XCTAssertEqual(split.train.count, 60_000)
        XCTAssertEqual(split.test.count, 10_000)
        XCTAssertEqual([split.train.rows, split.train.columns], [28, 28])
        XCTAssertEqual(split.train.item, "fashion item")
        // not the digits: Fashion-MNIST's first training image is an ankle boot (label 9)
        XCTAssertEqual(split.train.labels[0], 9)
        let (train, test) = try MovingMNIST.make(train: 3, test: 2, frames: 4, size: 64, source: source,
                                                 trainStream: RandomStream(seed: 1, name: "t"))
        XCTAssertTrue(train.description.hasPrefix("Moving Fashion-MNIST, 3 sequences of 4 frames at 64×64, 2 fashion items each, from 60000 fashion items"), train.description)
        XCTAssertFalse(test.description.contains("digit"), test.description)
        let s = try train.sequence(0)
        XCTAssertEqual(s.shape, [4, 1, 64, 64])
        XCTAssertTrue(s.toArray().contains { $0 > 0 })
    }
}
