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
    /// Bounding boxes: `2 d` numbers per node (min then max).
    private var boxes: [Double] = []

    init(_ x: Matrix) {
        points = x.elements
        d = x.columns
        indices = (0..<Int32(x.rows)).map { $0 }
        if x.rows > 0 { _ = build(lo: 0, hi: x.rows) }
        var ordered = [Double](repeating: 0, count: x.rows * d)
        for (p, i) in indices.enumerated() {
            for j in 0..<d { ordered[p * d + j] = points[Int(i) * d + j] }
        }
        self.ordered = ordered
    }

    private mutating func build(lo: Int, hi: Int) -> Int {
        let index = nodes.count
        nodes.append(Node(lo: lo, hi: hi, left: -1, right: -1))
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
        guard hi - lo > KDTree.leafSize else { return index }
        var split = 0
        for j in 1..<max(1, d) where box[d + j] - box[j] > box[d + split] - box[split] { split = j }
        guard box[d + split] > box[split] else { return index }  // all points identical
        let mid = (lo + hi) / 2
        select(lo: lo, hi: hi, k: mid, dimension: split)
        let left = build(lo: lo, hi: mid)
        let right = build(lo: mid, hi: hi)
        nodes[index].left = left
        nodes[index].right = right
        return index
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

    /// Calls `body` with every row within Euclidean distance `radius` of row `query` (itself included).
    func forEachNeighbour(of query: Int, radius: Double, _ body: (Int) -> Void) {
        guard !nodes.isEmpty else { return }
        let r2 = radius * radius
        points.withUnsafeBufferPointer { pts in
            ordered.withUnsafeBufferPointer { ord in
                boxes.withUnsafeBufferPointer { bx in
                    guard let base = pts.baseAddress, let leafPoints = ord.baseAddress else { return }
                    let q = base + query * d
                    // Depth-first with a fixed stack: the tree's depth is at most ⌈log₂ n⌉ < 64 and
                    // the stack never holds more than depth + 1 entries.
                    withUnsafeTemporaryAllocation(of: Int.self, capacity: 128) { stack in
                        var top = 1
                        stack[0] = 0
                        while top > 0 {
                            top -= 1
                            let nodeIndex = stack[top]
                            // Squared distances from the query to the nearest and farthest points of the box.
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
                            guard gap <= r2 else { continue }
                            let node = nodes[nodeIndex]
                            if reach <= r2 {
                                // The whole box is inside the ball: no distance to check.
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
}
