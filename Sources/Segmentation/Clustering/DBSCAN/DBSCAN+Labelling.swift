import Dispatch
import Synchronization

/// The three phases of ``DBSCAN``'s fit over a ``KDTree``, one leaf (at most 16 points)
/// at a time, everything indexed by tree position:
///
/// 1. **Core test** (parallel over leaves): each leaf visits the leaves near its box,
///    nearest first, and counts the neighbours of its points that are still below
///    `minimumPoints`, stopping once all of them have reached it; points still short after
///    ``sharedLeafVisits`` leaves start again alone with their own, tighter traversal.
///    The first neighbours met (up to ``linksPerPoint`` per point) are kept.
/// 2. **Core components** (one thread): a union–find forest over the core points, linked
///    first along the kept neighbours and inside each leaf, then between each leaf and
///    every later leaf near its box.
///    When a leaf's core points are all in one component, a core point already in it is
///    skipped and one found link is enough; subtrees whose core points are all in the
///    leaf's component are skipped whole. Components do not depend on the order of the links.
/// 3. **Numbering and borders**: components are numbered by their lowest row index; each
///    non-core point (in parallel) takes the lowest number among the core points within
///    `epsilon`, or stays noise (−1).
struct DBSCANLabelling: @unchecked Sendable {  // read-only pointers shared by the threads
    let view: KDTree.View
    /// The tree's leaves (node indices) in position order.
    let leaves: [Int]
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
    /// Leaves a leaf's core test visits together before its unfinished points go on alone.
    static let sharedLeafVisits = 24
    /// Neighbours the core test records per point (the first ones it meets), for phase 2.
    static let linksPerPoint = 16

    func run(parallelism: Int) -> Result {
        let n = view.count
        var core = [Bool](repeating: false, count: n)
        var clusters = [Int32](repeating: -1, count: n)
        guard n > 0, points.baseAddress != nil else { return Result(core: core, clusters: clusters, clusterCount: 0) }
        let workers = max(1, min(parallelism, leaves.count / 16))
        var links = [Int32](repeating: 0, count: n * DBSCANLabelling.linksPerPoint)
        var linkCounts = [UInt8](repeating: 0, count: n)
        core.withUnsafeMutableBufferPointer { flags in
            links.withUnsafeMutableBufferPointer { l in
                linkCounts.withUnsafeMutableBufferPointer { c in
                    markCorePoints(leaves: leaves, into: Shared(flags), links: Shared(l), linkCounts: Shared(c), workers: workers)
                }
            }
        }
        var clusterCount = 0
        core.withUnsafeBufferPointer { coreFlags in
            clusters.withUnsafeMutableBufferPointer { out in
                clusterCount = numberComponents(leaves: leaves, core: coreFlags, links: links, linkCounts: linkCounts, into: out)
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

    private func markCorePoints(leaves: [Int], into core: Shared<Bool>, links: Shared<Int32>, linkCounts: Shared<UInt8>, workers: Int) {
        let r2 = epsilon * epsilon, minPts = minimumPoints, cap = DBSCANLabelling.linksPerPoint
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * KDTree.leafSize) { slots in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: KDTree.leafSize) { buffer in
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
                            var visited = 0
                            view.forEachLeaf(nearLeaf: leaf, within: r2) { other in
                                visited += 1
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
                                    let p = active[a], first = view.nodes[other].lo
                                    var recorded = Int(linkCounts.base[p])
                                    for b in 0..<size where distances[b] <= r2 {
                                        found += 1
                                        if recorded < cap && first + b != p {
                                            links.base[p * cap + recorded] = Int32(truncatingIfNeeded: first + b)
                                            recorded += 1
                                        }
                                    }
                                    linkCounts.base[p] = UInt8(recorded)
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
                                return live > 0 && visited < DBSCANLabelling.sharedLeafVisits
                            }
                            // The points still short (sparse regions, cluster edges) start again on their own,
                            // where the tighter point-to-box test prunes far more than the leaf's box does.
                            for a in 0..<live {
                                let p = active[a]
                                let q = row(p)
                                var count = 0, recorded = 0
                                view.forEachLeaf(near: q, within: r2) { other in
                                    let first = view.nodes[other].lo, size = view.nodes[other].hi - first
                                    view.squaredDistances(from: q, toLeaf: other, into: distances)
                                    for b in 0..<size where distances[b] <= r2 {
                                        count += 1
                                        if recorded < cap && first + b != p {
                                            links.base[p * cap + recorded] = Int32(truncatingIfNeeded: first + b)
                                            recorded += 1
                                        }
                                    }
                                    return count < minPts
                                }
                                linkCounts.base[p] = UInt8(recorded)
                                if count >= minPts { core.base[p] = true }
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
    private func numberComponents(
        leaves: [Int], core: UnsafeBufferPointer<Bool>, links: [Int32], linkCounts: [UInt8], into clusters: UnsafeMutableBufferPointer<Int32>
    ) -> Int {
        let n = view.count, r2 = epsilon * epsilon, cap = DBSCANLabelling.linksPerPoint
        var forest = UnionFind(count: n)
        // The links the core test met on its way: they join most of each cluster already.
        for p in 0..<n where core[p] {
            for l in 0..<Int(linkCounts[p]) where core[Int(links[p * cap + l])] { forest.union(p, Int(links[p * cap + l])) }
        }
        // Per node: a core point of its subtree (−1 for none), and whether all of the subtree's
        // core points are known to share one component (once true it stays true: components
        // only merge).
        let nodeCount = view.nodes.count
        var representative = [Int](repeating: -1, count: nodeCount)
        var joined = [Bool](repeating: false, count: nodeCount)
        for leaf in leaves {
            let node = view.nodes[leaf]
            representative[leaf] = (node.lo..<node.hi).first { core[$0] } ?? -1
        }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: KDTree.leafSize) { buffer in
            guard let distances = buffer.baseAddress else { return }
            // Links inside each leaf: most leaves then hold one component.
            for leaf in leaves where representative[leaf] >= 0 {
                let node = view.nodes[leaf]
                for a in node.lo..<node.hi where core[a] {
                    view.squaredDistances(from: row(a), toLeaf: leaf, into: distances)
                    for b in (a + 1)..<node.hi where core[b] && distances[b - node.lo] <= r2 { forest.union(a, b) }
                }
            }
            // Then the same for whole subtrees (children have larger indices than their parent),
            // so the sweeps below skip every subtree already in the leaf's component.
            for index in stride(from: nodeCount - 1, through: 0, by: -1) {
                let node = view.nodes[index]
                if node.left < 0 {
                    joined[index] = forest.isOneComponent(node.lo..<node.hi, core: core)
                    continue
                }
                let l = node.left, r = node.right
                representative[index] = representative[l] >= 0 ? representative[l] : representative[r]
                joined[index] = (representative[l] < 0 || joined[l]) && (representative[r] < 0 || joined[r])
                    && (representative[l] < 0 || representative[r] < 0 || forest.find(representative[l]) == forest.find(representative[r]))
            }
            // A pair of leaves each in one component needs a single link, or none when they are
            // in the same one.
            for leaf in leaves where representative[leaf] >= 0 {
                let node = view.nodes[leaf]
                if !joined[leaf] { joined[leaf] = forest.isOneComponent(node.lo..<node.hi, core: core) }
                view.forEachLeaf(nearLeaf: leaf, within: r2, from: node.hi, skipping: { index in
                    representative[index] < 0
                        || (joined[leaf] && joined[index] && forest.find(representative[leaf]) == forest.find(representative[index]))
                }) { other in
                    let target = view.nodes[other]
                    if !joined[leaf] { joined[leaf] = forest.isOneComponent(node.lo..<node.hi, core: core) }
                    if !joined[other] { joined[other] = forest.isOneComponent(target.lo..<target.hi, core: core) }
                    let mate = representative[other]
                    for a in node.lo..<node.hi where core[a] {
                        // Every core point of `other` is in one component and `a` is in it already.
                        if joined[other] && forest.find(a) == forest.find(mate) {
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
