// libFuzzer target: the record reader over arbitrary bytes (a record is
// untrusted input: someone else's runs folder). Decoding must refuse what it
// cannot use with an error, never crash. Built and run by scripts/fuzz.sh.

import Foundation
import Records

@_cdecl("LLVMFuzzerTestOneInput")
public func recordFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    if let record = try? RunStore.decode(bytes, path: "fuzz/record.json") {
        _ = try? RecordSeal.seal(of: record)
        _ = RunListing.self
    }
    return 0
}
