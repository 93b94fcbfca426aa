import Foundation

/// A running peer script that answers one JSON request per line with one JSON line.
///
/// Requests and answers alternate, so the Swift side and the peer measure each task one after
/// the other, under the same machine load (other processes on a 2-core machine shift both
/// timings alike instead of biasing one whole side).
final class PeerProcess {
    /// The peer's name as reported in results (`"numpy"`).
    let name: String
    private let process: Process
    private let input: FileHandle
    private let output: FileHandle
    private var buffer: [UInt8] = []

    /// Starts `script` with the venv's interpreter; the peer's stderr goes to ours.
    /// - Throws: `BenchError.peerFailed` when the process cannot start.
    init(name: String, python: URL, script: URL, arguments: [String]) throws(BenchError) {
        self.name = name
        let process = Process()
        process.executableURL = python
        process.arguments = [script.path] + arguments
        process.environment = PeerEnvironment.peerEnvironmentVariables
        let stdinPipe = Pipe()
        let stdoutPipe = Pipe()
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = FileHandle.standardError
        do {
            try process.run()
        } catch {
            throw .peerFailed(peer: name, reason: "could not start \(script.lastPathComponent): \(error)")
        }
        self.process = process
        self.input = stdinPipe.fileHandleForWriting
        self.output = stdoutPipe.fileHandleForReading
    }

    /// Sends one request object and returns the answer object.
    /// - Throws: `BenchError.peerFailed` when the peer exits or answers something that is not a
    ///   JSON object, or answers `{"error": ...}`.
    func request(_ fields: [String: Any]) throws(BenchError) -> [String: Any] {
        do {
            let data = try JSONSerialization.data(withJSONObject: fields)
            try input.write(contentsOf: data + Data("\n".utf8))
        } catch {
            throw .peerFailed(peer: name, reason: "could not send a request: \(error)")
        }
        return try readObject()
    }

    /// Reads the next JSON object line.
    func readObject() throws(BenchError) -> [String: Any] {
        guard let line = readLine() else {
            throw .peerFailed(peer: name, reason: "exited before answering")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
            throw .peerFailed(peer: name, reason: "answered a line that is not a JSON object: \(line.prefix(200))")
        }
        if let error = object["error"] as? String {
            throw .peerFailed(peer: name, reason: error)
        }
        return object
    }

    /// Closes the peer's stdin (which ends it) and waits for it.
    func close() {
        try? input.close()
        process.waitUntilExit()
    }

    private func readLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let chunk = output.availableData
            if chunk.isEmpty { return nil }
            buffer.append(contentsOf: chunk)
        }
    }

    deinit {
        if process.isRunning {
            try? input.close()
            process.waitUntilExit()
        }
    }
}
