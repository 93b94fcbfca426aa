import AttuneCore
import CAllocationCounter
let before = attune_allocation_count()
var a: [Double] = []
for i in 0..<10 { a = Array(repeating: Double(i), count: 100) }
print("attune-bench \(AttuneVersion.current) allocations for 10 arrays: \(attune_allocation_count() - before) \(a.count)")
