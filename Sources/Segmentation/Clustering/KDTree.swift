import Linalg

/// A static k-d tree over the rows of a matrix for fixed-radius neighbour queries.
///
/// Built by recursive median splits on the dimension of largest spread, with leaves of up
/// to ``leafSize`` points; each node keeps its bounding box so a query prunes a subtree as
/// soon as the box is farther than the radius.
/// - Complexity: build O(n log n · d); a radius query O(log n + neighbours) for well-spread
///   data in low dimension (it degrades towards O(n) as d grows).
///
/// ## References
/// Bentley, "Multidimensional binary search trees used for associative searching",
/// CACM 18(9), 1975.
struct KDTree: Sendable {
    static let leafSize = 16

    private struct Node: Sendable {
        var lo: Int  // range in `indices`
        var hi: Int
        var left: Int  // −1 for a leaf
        var right: Int
    }

    private let points: [Double]
    /// The points again, in tree order (`ordered[p]` is row `indices[p]`), so a leaf's points
    /// are read contiguously instead of gathered from all over the matrix.
    private var ordered: [Double] = []
    private let d: Int
    private(set) var indices: [Int32]
    private var nodes: [Node] = []
    /// Parent of each node (−1 for the root).
    private var parents: [Int32] = []
    /// The leaf holding each row.
    private var leafOfRow: [Int32] = []
    /// Bounding boxes: `2 d` numbers per node (min then max).
    private var boxes: [Double] = []

    init(_ x: Matrix) {
        points = x.elements
        d = x.columns
        indices = (0..<Int32(x.rows)).map { $0 }
        leafOfRow = [Int32](repeating: -1, count: x.rows)
        if x.rows > 0 { _ = build(lo: 0, hi: x.rows, parent: -1) }
        var ordered = [Double](repeating: 0, count: x.rows * d)
        for (p, i) in indices.enumerated() {
            for j in 0..<d { ordered[p * d + j] = points[Int(i) * d + j] }
        }
        self.ordered = ordered
    }

    private mutating func build(lo: Int, hi: Int, parent: Int) -> Int {
        let index = nodes.count
        nodes.append(Node(lo: lo, hi: hi, left: -1, right: -1))
        parents.append(Int32(parent))
        var box = [Double](repeating: .infinity, count: d) + [Double](repeating: -.infinity, count: d)
        for p in lo..<hi {
            let i = Int(indices[p])
            for j in 0..<d {
                let v = points[i * d + j]
                box[j] = min(box[j], v)
                box[d + j] = max(box[d + j], v)
            }
        }
        boxes.append(contentsOf: box)
        guard hi - lo > KDTree.leafSize else { return leaf(index) }
        var split = 0
        for j in 1..<max(1, d) where box[d + j] - box[j] > box[d + split] - box[split] { split = j }
        guard box[d + split] > box[split] else { return leaf(index) }  // all points identical
        let mid = (lo + hi) / 2
        select(lo: lo, hi: hi, k: mid, dimension: split)
        let left = build(lo: lo, hi: mid, parent: index)
        let right = build(lo: mid, hi: hi, parent: index)
        nodes[index].left = left
        nodes[index].right = right
        return index
    }

    /// Records `index` as the leaf of its rows (their order is final once a node is a leaf).
    private mutating func leaf(_ index: Int) -> Int {
        for p in nodes[index].lo..<nodes[index].hi { leafOfRow[Int(indices[p])] = Int32(index) }
        return index
    }

    // MARK: - Unvisited counts

    /// The number of rows under each node: the starting point of the counts that
    /// ``markVisited(_:remaining:)`` lowers and the pruned query skips at zero.
    func subtreeSizes() -> [Int32] {
        nodes.map { Int32($0.hi - $0.lo) }
    }

    /// Lowers by one the count of `row`'s leaf and of every ancestor.
    /// - Complexity: O(depth).
    func markVisited(_ row: Int, remaining: UnsafeMutableBufferPointer<Int32>) {
        var node = Int(leafOfRow[row])
        while node >= 0 {
            remaining[node] -= 1
            node = Int(parents[node])
        }
    }

    /// Quickselect: puts the k-th smallest (by `dimension`) at position k, smaller before it.
    private mutating func select(lo: Int, hi: Int, k: Int, dimension j: Int) {
        var lo = lo, hi = hi - 1
        while lo < hi {
            let pivot = points[Int(indices[(lo + hi) / 2]) * d + j]
            var a = lo, b = hi
            while a <= b {
                while points[Int(indices[a]) * d + j] < pivot { a += 1 }
                while points[Int(indices[b]) * d + j] > pivot { b -= 1 }
                if a <= b {
                    indices.swapAt(a, b)
                    a += 1
                    b -= 1
                }
            }
            if k <= b { hi = b } else if k >= a { lo = a } else { return }
        }
    }

    /// The number of rows within `radius` of row `query` (itself included), counted only up
    /// to `limit`: the search stops as soon as `limit` is reached, and boxes wholly inside
    /// the ball are counted without visiting their points.
    func countNeighbours(of query: Int, radius: Double, limit: Int) -> Int {
        guard !nodes.isEmpty else { return 0 }
        let r2 = radius * radius
        var count = 0
        points.withUnsafeBufferPointer { pts in
            ordered.withUnsafeBufferPointer { ord in
                boxes.withUnsafeBufferPointer { bx in
                    guard let base = pts.baseAddress, let leafPoints = ord.baseAddress else { return }
                    let q = base + query * d
                    withUnsafeTemporaryAllocation(of: Int.self, capacity: 128) { stack in
                        var top = 1
                        stack[0] = 0
                        while top > 0 && count < limit {
                            top -= 1
                            let nodeIndex = stack[top]
                            let (gap, reach) = distances(q, box: nodeIndex, bx)
                            guard gap <= r2 else { continue }
                            let node = nodes[nodeIndex]
                            if reach <= r2 {
                                count += node.hi - node.lo
                            } else if node.left < 0 {
                                for p in node.lo..<node.hi where KMeans.squaredDistance(q, leafPoints + p * d, d) <= r2 { count += 1 }
                            } else {
                                stack[top] = node.right
                                stack[top + 1] = node.left
                                top += 2
                            }
                        }
                    }
                }
            }
        }
        return count
    }

    /// Squared distances from `q` to the nearest and the farthest point of node `box`'s box.
    @inline(__always)
    private func distances(_ q: UnsafePointer<Double>, box nodeIndex: Int, _ bx: UnsafeBufferPointer<Double>) -> (gap: Double, reach: Double) {
        var gap = 0.0
        var reach = 0.0
        let box = nodeIndex * 2 * d
        for j in 0..<d {
            let v = q[j]
            let below = bx[box + j] - v, above = v - bx[box + d + j]
            let t = max(0, below, above)
            gap += t * t
            let far = max(v - bx[box + j], bx[box + d + j] - v)
            reach += far * far
        }
        return (gap, reach)
    }

    /// Calls `body` with every row within `radius` of row `query` that lies in a subtree
    /// whose `remaining` count is not zero: rows already visited (see
    /// ``markVisited(_:remaining:)``) may still be passed when they share a leaf with
    /// unvisited ones, so `body` must check.
    func forEachNeighbour(
        of query: Int, radius: Double, remaining: UnsafeMutableBufferPointer<Int32>, _ body: (Int) -> Void
    ) {
        guard !nodes.isEmpty else { return }
        let r2 = radius * radius
        points.withUnsafeBufferPointer { pts in
            ordered.withUnsafeBufferPointer { ord in
                boxes.withUnsafeBufferPointer { bx in
                    guard let base = pts.baseAddress, let leafPoints = ord.baseAddress else { return }
                    let q = base + query * d
                    // Depth-first with a fixed stack: the tree's depth is at most ⌈log₂ n⌉ < 64 and the
                    // stack never holds more than depth + 1 entries.
                    withUnsafeTemporaryAllocation(of: Int.self, capacity: 128) { stack in
                        var top = 1
                        stack[0] = 0
                        while top > 0 {
                            top -= 1
                            let nodeIndex = stack[top]
                            guard remaining[nodeIndex] > 0 else { continue }
                            let (gap, reach) = distances(q, box: nodeIndex, bx)
                            guard gap <= r2 else { continue }
                            let node = nodes[nodeIndex]
                            if reach <= r2 {
                                for p in node.lo..<node.hi { body(Int(indices[p])) }
                            } else if node.left < 0 {
                                for p in node.lo..<node.hi where KMeans.squaredDistance(q, leafPoints + p * d, d) <= r2 {
                                    body(Int(indices[p]))
                                }
                            } else {
                                stack[top] = node.right
                                stack[top + 1] = node.left
                                top += 2
                            }
                        }
                    }
                }
            }
        }
    }

    /// Calls `body` with every row within Euclidean distance `radius` of row `query` (itself included).
    ///
    /// The traversal of ``forEachNeighbour(of:radius:remaining:_:)`` with every subtree counted
    /// as unvisited; DBSCAN uses that form directly to skip finished subtrees.
    /// - Complexity: O(nodes) extra memory for the counts, plus the query.
    func forEachNeighbour(of query: Int, radius: Double, _ body: (Int) -> Void) {
        guard !nodes.isEmpty else { return }
        var unvisited = [Int32](repeating: 1, count: nodes.count)
        unvisited.withUnsafeMutableBufferPointer { remaining in
            forEachNeighbour(of: query, radius: radius, remaining: remaining, body)
        }
    }
}
