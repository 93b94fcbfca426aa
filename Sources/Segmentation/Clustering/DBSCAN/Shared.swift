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
