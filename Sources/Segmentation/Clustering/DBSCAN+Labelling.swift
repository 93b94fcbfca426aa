import Dispatch
import Synchronization

/// The three phases of ``DBSCAN``'s fit over a ``KDTree``, one leaf (at most 16 points)
/// at a time, everything indexed by tree position:
///
/// 1. **Core test** (parallel over leaves): each leaf visits the leaves near its box,
///    nearest first, and counts the neighbours of its points that are still below
///    `minimumPoints`, stopping once all of them have reached it.
/// 2. **Core components** (one thread): a union–find forest over the core points, linked
///    first inside each leaf, then between each leaf and every later leaf near its box.
///    When a leaf's core points are all in one component, a core point already in it is
///    skipped and one found link is enough; when both leaves are in the same component the
///    pair is skipped. Components do not depend on the order of the links.
/// 3. **Numbering and borders**: components are numbered by their lowest row index; each
///    non-core point (in parallel) takes the lowest number among the core points within
///    `epsilon`, or stays noise (−1).
struct DBSCANLabelling: @unchecked Sendable {  // read-only pointers shared by the threads
    let view: KDTree.View
    /// The points, row-major (row `indices[p]` for position p).
    let points: UnsafeBufferPointer<Double>
    let epsilon: Double
    let minimumPoints: Int

    /// Labels and core flags by tree position.
    struct Result {
        var core: [Bool]
        var clusters: [Int32]
        var clusterCount: Int
    }

    /// Leaves handed to a thread at a time in the parallel phases.
    static let leavesPerClaim = 8

    func run(parallelism: Int) -> Result {
        let n = view.count
        var core = [Bool](repeating: false, count: n)
        var clusters = [Int32](repeating: -1, count: n)
        guard n > 0, points.baseAddress != nil else { return Result(core: core, clusters: clusters, clusterCount: 0) }
        let leaves = KDTree.leafList(view)
        let workers = max(1, min(parallelism, leaves.count / 16))
        core.withUnsafeMutableBufferPointer { markCorePoints(leaves: leaves, into: Shared($0), workers: workers) }
        var clusterCount = 0
        core.withUnsafeBufferPointer { coreFlags in
            clusters.withUnsafeMutableBufferPointer { out in
                clusterCount = numberComponents(leaves: leaves, core: coreFlags, into: out)
                labelBorders(leaves: leaves, core: coreFlags, clusters: Shared(out), workers: workers)
            }
        }
        return Result(core: core, clusters: clusters, clusterCount: clusterCount)
    }

    @inline(__always)
    private func row(_ position: Int) -> UnsafePointer<Double> {
        // `points` is non-empty here (checked in `run`).
        points.baseAddress.unsafelyUnwrapped + Int(view.indices[position]) * view.d
    }

    // MARK: - Phase 1: core points

    private func markCorePoints(leaves: [Int], into core: Shared<Bool>, workers: Int) {
        let r2 = epsilon * epsilon, minPts = minimumPoints
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: KDTree.leafSize) { buffer in
              withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * KDTree.leafSize) { slots in
                guard let distances = buffer.baseAddress, let active = slots.baseAddress else { return }
                // The positions still below `minimumPoints`, and their counts so far.
                let counts = active + KDTree.leafSize
                while true {
                    let claim = next.add(DBSCANLabelling.leavesPerClaim, ordering: .relaxed).oldValue
                    guard claim < leaves.count else { return }
                    for leaf in leaves[claim..<min(leaves.count, claim + DBSCANLabelling.leavesPerClaim)] {
                        let node = view.nodes[leaf]
                        var live = 0
                        for p in node.lo..<node.hi {
                            active[live] = p
                            counts[live] = 0
                            live += 1
                        }
                        view.forEachLeaf(nearLeaf: leaf, within: r2) { other in
                            let size = view.nodes[other].hi - view.nodes[other].lo
                            var a = 0
                            while a < live {
                                let q = row(active[a])
                                if other != leaf && view.gap(q, other) > r2 {
                                    a += 1
                                    continue
                                }
                                view.squaredDistances(from: q, toLeaf: other, into: distances)
                                var found = 0
                                for b in 0..<size where distances[b] <= r2 { found += 1 }
                                counts[a] += found
                                if counts[a] >= minPts {
                                    core.base[active[a]] = true
                                    live -= 1
                                    active[a] = active[live]
                                    counts[a] = counts[live]
                                } else {
                                    a += 1
                                }
                            }
                            return live > 0
                        }
                    }
                }
              }
            }
        }
    }

    // MARK: - Phase 2: components of core points

    /// Joins core points within `epsilon`, numbers the components by their lowest row index,
    /// writes each core point's number to `clusters` and returns the number of clusters.
    private func numberComponents(leaves: [Int], core: UnsafeBufferPointer<Bool>, into clusters: UnsafeMutableBufferPointer<Int32>) -> Int {
        let n = view.count, r2 = epsilon * epsilon
        var forest = UnionFind(count: n)
        // Per node: whether the leaf has core points, and whether they are known to share one
        // component (once true it stays true: components only merge).
        var hasCore = [Bool](repeating: false, count: view.nodes.count)
        var joined = [Bool](repeating: false, count: view.nodes.count)
        for leaf in leaves {
            let node = view.nodes[leaf]
            hasCore[leaf] = (node.lo..<node.hi).contains { core[$0] }
        }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: KDTree.leafSize) { buffer in
            guard let distances = buffer.baseAddress else { return }
            // Links inside each leaf first: most leaves then hold one component, and a pair of
            // such leaves needs a single link (or none, when they are joined already).
            for leaf in leaves where hasCore[leaf] {
                let node = view.nodes[leaf]
                for a in node.lo..<node.hi where core[a] {
                    view.squaredDistances(from: row(a), toLeaf: leaf, into: distances)
                    for b in (a + 1)..<node.hi where core[b] && distances[b - node.lo] <= r2 { forest.union(a, b) }
                }
                joined[leaf] = forest.isOneComponent(node.lo..<node.hi, core: core)
            }
            for leaf in leaves where hasCore[leaf] {
                let node = view.nodes[leaf]
                view.forEachLeaf(nearLeaf: leaf, within: r2, from: node.hi) { other in
                    guard hasCore[other] else { return true }
                    let target = view.nodes[other]
                    if !joined[leaf] { joined[leaf] = forest.isOneComponent(node.lo..<node.hi, core: core) }
                    if !joined[other] { joined[other] = forest.isOneComponent(target.lo..<target.hi, core: core) }
                    let representative = (target.lo..<target.hi).first { core[$0] } ?? target.lo
                    for a in node.lo..<node.hi where core[a] {
                        // Every core point of `other` is in one component and `a` is in it already.
                        if joined[other] && forest.find(a) == forest.find(representative) {
                            // …and so is every core point of `leaf`: nothing left to link.
                            if joined[leaf] { break }
                            continue
                        }
                        let q = row(a)
                        if view.gap(q, other) > r2 { continue }
                        view.squaredDistances(from: q, toLeaf: other, into: distances)
                        for b in target.lo..<target.hi where core[b] && distances[b - target.lo] <= r2 {
                            forest.union(a, b)
                            if joined[other] { break }
                        }
                    }
                    return true
                }
            }
        }
        // Number the components in order of their lowest row.
        var lowestRow = [Int32](repeating: .max, count: n)
        for p in 0..<n where core[p] {
            let root = forest.find(p)
            lowestRow[root] = min(lowestRow[root], view.indices[p])
        }
        let roots = (0..<n).filter { lowestRow[$0] != .max }.sorted { lowestRow[$0] < lowestRow[$1] }
        var number = [Int32](repeating: -1, count: n)
        for (k, root) in roots.enumerated() { number[root] = Int32(k) }
        for p in 0..<n where core[p] { clusters[p] = number[forest.find(p)] }
        return roots.count
    }

    // MARK: - Phase 3: border points

    private func labelBorders(leaves: [Int], core: UnsafeBufferPointer<Bool>, clusters: Shared<Int32>, workers: Int) {
        let r2 = epsilon * epsilon
        let next = Atomic<Int>(0)
        let reader = Shared(UnsafeMutablePointer(mutating: core.baseAddress.unsafelyUnwrapped))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: KDTree.leafSize) { buffer in
                guard let distances = buffer.baseAddress else { return }
                while true {
                    let claim = next.add(DBSCANLabelling.leavesPerClaim, ordering: .relaxed).oldValue
                    guard claim < leaves.count else { return }
                    for leaf in leaves[claim..<min(leaves.count, claim + DBSCANLabelling.leavesPerClaim)] {
                        let node = view.nodes[leaf]
                        for p in node.lo..<node.hi where !reader.base[p] {
                            let q = row(p)
                            var best = Int32.max
                            view.forEachLeaf(near: q, within: r2) { other in
                                let target = view.nodes[other]
                                view.squaredDistances(from: q, toLeaf: other, into: distances)
                                // Core points' numbers are final; only non-core ones are written here.
                                for b in target.lo..<target.hi where reader.base[b] && distances[b - target.lo] <= r2 {
                                    best = min(best, clusters.base[b])
                                }
                                return best > 0
                            }
                            clusters.base[p] = best == .max ? -1 : best
                        }
                    }
                }
            }
        }
    }
}

/// A mutable buffer shared by the threads of a parallel phase, each writing its own elements.
struct Shared<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>

    init(_ base: UnsafeMutablePointer<Element>) {
        self.base = base
    }

    init(_ buffer: UnsafeMutableBufferPointer<Element>) {
        self.base = buffer.baseAddress.unsafelyUnwrapped
    }
}

extension KDTree {
    /// The leaves of a view in position order.
    static func leafList(_ view: View) -> [Int] {
        var leaves: [Int] = []
        for (index, node) in view.nodes.enumerated() where node.left < 0 { leaves.append(index) }
        return leaves.sorted { view.nodes[$0].lo < view.nodes[$1].lo }
    }
}

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
