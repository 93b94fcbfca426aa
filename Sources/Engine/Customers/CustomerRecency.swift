/// Customer ids in least-recently-touched order, with the time of their last touch: the
/// bookkeeping behind the profile cap and idle TTL of ``CustomerSegments``. Each customer also
/// keeps an origin, set when it is first touched (the event log position where its current
/// profile begins, which tells log compaction which lines still matter).
///
/// An intrusive doubly linked list over parallel arrays (freed slots are reused) plus an
/// id → slot dictionary. Touch times never decrease along the list: a touch earlier than the
/// latest one counts at the latest time, so the head is always the oldest.
///
/// - Complexity: O(1) amortized per touch, removal and eviction of the oldest.
struct CustomerRecency: Sendable {
    private var slots: [String: Int] = [:]
    private var ids: [String] = []
    private var times: [Double] = []
    private var origins: [Int] = []
    private var previous: [Int] = []
    private var next: [Int] = []
    private var free: [Int] = []
    /// The least recently touched slot (−1 when empty).
    private var head = -1
    /// The most recently touched slot (−1 when empty).
    private var tail = -1
    private var latest = -Double.infinity

    /// The number of customers tracked.
    var count: Int { slots.count }

    /// The least recently touched customer and the time of that touch.
    var oldest: (id: String, time: Double)? { head < 0 ? nil : (ids[head], times[head]) }

    /// The origin `id` was first touched with, `nil` for an id not tracked.
    func origin(of id: String) -> Int? { slots[id].map { origins[$0] } }

    /// Marks `id` as touched at `time` (or at the latest touch time, when later); `origin` is
    /// kept only when `id` is new.
    mutating func touch(_ id: String, at time: Double, origin: Int = 0) {
        if time > latest { latest = time }
        if let slot = slots[id] {
            unlink(slot)
            times[slot] = latest
            append(slot)
            return
        }
        let slot: Int
        if let reused = free.popLast() {
            slot = reused
            ids[slot] = id
            times[slot] = latest
            origins[slot] = origin
        } else {
            slot = ids.count
            ids.append(id)
            times.append(latest)
            origins.append(origin)
            previous.append(-1)
            next.append(-1)
        }
        slots[id] = slot
        append(slot)
    }

    /// Stops tracking `id`.
    mutating func remove(_ id: String) {
        guard let slot = slots.removeValue(forKey: id) else { return }
        unlink(slot)
        ids[slot] = ""
        free.append(slot)
    }

    private mutating func append(_ slot: Int) {
        previous[slot] = tail
        next[slot] = -1
        if tail >= 0 { next[tail] = slot } else { head = slot }
        tail = slot
    }

    private mutating func unlink(_ slot: Int) {
        let p = previous[slot], n = next[slot]
        if p >= 0 { next[p] = n } else { head = n }
        if n >= 0 { previous[n] = p } else { tail = p }
        previous[slot] = -1
        next[slot] = -1
    }
}
