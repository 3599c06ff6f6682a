// A process-wide counter for unique temporary names, safe from any thread.

import Synchronization

private let serial = Atomic<Int>(0)

/// 1, 2, 3, … across the whole process.
func nextSerial() -> Int {
    serial.wrappingAdd(1, ordering: .relaxed).newValue
}
