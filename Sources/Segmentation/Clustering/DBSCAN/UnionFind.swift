/// Disjoint sets over `0..<count` with path halving; the root of a merged set is the smaller
/// index, so the forest does not depend on anything but the links made.
///
/// ## References
/// Tarjan, "Efficiency of a good but not linear set union algorithm", JACM 22(2), 1975.
struct UnionFind {
    private var parent: [Int32]

    init(count: Int) {
        parent = (0..<Int32(count)).map { $0 }
    }

    mutating func find(_ i: Int) -> Int {
        var i = i
        while Int(parent[i]) != i {
            let grand = parent[Int(parent[i])]
            parent[i] = grand
            i = Int(grand)
        }
        return i
    }

    mutating func union(_ a: Int, _ b: Int) {
        let ra = find(a), rb = find(b)
        if ra < rb { parent[rb] = Int32(ra) } else if rb < ra { parent[ra] = Int32(rb) }
    }

    /// Whether the positions of `range` flagged in `core` are all in one set.
    mutating func isOneComponent(_ range: Range<Int>, core: UnsafeBufferPointer<Bool>) -> Bool {
        var root = -1
        for p in range where core[p] {
            let r = find(p)
            if root < 0 { root = r } else if r != root { return false }
        }
        return true
    }
}
