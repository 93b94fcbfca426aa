#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A policy learned offline from a decision log: a linear score per action, turned into a
/// distribution greedily or by a softmax, with an optional exploration floor.
///
/// ```
/// sₐ(x) = θₐᵀ[1, x]
/// greedy:   π(a|x) = 1/|argmax| on the maximizers of sₐ(x), 0 elsewhere
/// softmax:  π(a|x) ∝ exp(sₐ(x) / τ)
/// then      π ← (1 − ε) π + ε / K
/// ```
/// Stored as JSON (`"format": "attune.learned-policy/1"`), which `attune evaluate`,
/// `attune gate` and ``TargetSource`` load.
public struct LinearPolicy: Sendable, Equatable, Codable {
    /// The format tag of learned-policy files.
    public static let format = "attune.learned-policy/1"

    /// How scores become probabilities.
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        /// All mass on the best score (split evenly over exact ties).
        case greedy
        /// A softmax of the scores at a temperature.
        case softmax
    }

    /// The format tag, ``format``.
    public var formatTag: String
    /// Greedy or softmax.
    public var kind: Kind
    /// Softmax temperature `τ > 0` (unused when greedy).
    public var temperature: Double
    /// Exploration floor `ε ∈ [0, 1]` mixed in uniformly.
    public var epsilon: Double
    /// The action ids, in the order of ``coefficients``.
    public var actions: [String]
    /// Names of the context features (in the order of the coefficients after the intercept).
    public var featureNames: [String]
    /// Per action: `[intercept, θ₁…θ_d]`.
    public var coefficients: [[Double]]
    /// How the policy was learned: method, rounds, ridge, held-out estimates.
    public var training: [String: String]

    enum CodingKeys: String, CodingKey {
        case formatTag = "format"
        case kind, temperature, epsilon, actions
        case featureNames = "feature_names"
        case coefficients, training
    }

    /// Creates a policy.
    /// - Throws: `EvaluationError.invalidParameter` for a temperature ≤ 0 with a softmax,
    ///   an `epsilon` outside [0, 1], or coefficient rows of the wrong length.
    public init(kind: Kind, temperature: Double = 1, epsilon: Double = 0, actions: [String], featureNames: [String],
                coefficients: [[Double]], training: [String: String] = [:]) throws(EvaluationError) {
        self.formatTag = Self.format
        self.kind = kind
        self.temperature = temperature
        self.epsilon = epsilon
        self.actions = actions
        self.featureNames = featureNames
        self.coefficients = coefficients
        self.training = training
        try validate(source: "policy")
    }

    func validate(source: String) throws(EvaluationError) {
        guard formatTag == Self.format else {
            throw .invalidParameter(field: "\(source): format", value: formatTag, expected: Self.format)
        }
        guard kind == .greedy || (temperature.isFinite && temperature > 0) else {
            throw .invalidParameter(field: "\(source): temperature", value: "\(temperature)", expected: "a finite number > 0")
        }
        guard (0...1).contains(epsilon) else {
            throw .invalidParameter(field: "\(source): epsilon", value: "\(epsilon)", expected: "a probability in [0, 1]")
        }
        guard !actions.isEmpty, coefficients.count == actions.count else {
            throw .invalidParameter(field: "\(source): coefficients", value: "\(coefficients.count) rows",
                                    expected: "one row per action (\(actions.count))")
        }
        for (a, row) in coefficients.enumerated() where row.count != featureNames.count + 1 || !row.allSatisfy(\.isFinite) {
            throw .invalidParameter(field: "\(source): coefficients[\(a)]", value: "\(row.count) values",
                                    expected: "\(featureNames.count + 1) finite values (intercept first)")
        }
    }

    /// The policy in `data` if it is a learned-policy file, `nil` if it is another format.
    /// - Throws: `EvaluationError.invalidParameter` for a learned-policy file that is malformed.
    public static func decodeIfLearned(_ data: Data, source: String) throws(EvaluationError) -> LinearPolicy? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              object["format"] as? String == format else { return nil }
        do {
            let policy = try JSONDecoder().decode(LinearPolicy.self, from: data)
            try policy.validate(source: source)
            return policy
        } catch let error as EvaluationError {
            throw error
        } catch {
            throw .invalidParameter(field: source, value: "learned policy", expected: "a valid \(format) document (\(error))")
        }
    }

    /// The distribution over `candidates` (indices into ``actions``) for context `x`.
    /// - Complexity: O(|candidates| · d).
    public func distribution(for x: ArraySlice<Double>, among candidates: [Int], into p: inout [Double]) {
        p.removeAll(keepingCapacity: true)
        var best = -Double.infinity
        for a in candidates {
            let row = coefficients[a]
            var s = row[0]
            for (j, v) in zip(x.indices, x) { s += row[j - x.startIndex + 1] * v }
            p.append(s)
            best = max(best, s)
        }
        switch kind {
        case .greedy:
            var ties = 0.0
            for k in p.indices { p[k] = p[k] == best ? 1 : 0; ties += p[k] }
            for k in p.indices { p[k] /= ties }
        case .softmax:
            var total = 0.0
            for k in p.indices { p[k] = exp((p[k] - best) / temperature); total += p[k] }
            for k in p.indices { p[k] /= total }
        }
        if epsilon > 0 {
            let floor = epsilon / Double(p.count)
            for k in p.indices { p[k] = (1 - epsilon) * p[k] + floor }
        }
    }

    /// The policy's distribution on every round of `log`, aligned with `log.candidates`.
    /// - Throws: `EvaluationError.targetFailed` when a logged action is not one of
    ///   ``actions`` or the context dimension differs.
    /// - Complexity: O(Σ Kᵢ · d).
    public func distributions(on log: DecisionLog) throws(EvaluationError) -> [Double] {
        guard log.contextDimension == featureNames.count else {
            throw .targetFailed(line: log.lineNumbers.first ?? 0,
                                reason: "the log's contexts have \(log.contextDimension) values, the learned policy \(featureNames.count)")
        }
        var index: [String: Int] = [:]
        for (k, id) in actions.enumerated() { index[id] = k }
        let mapping = log.actionIDs.map { index[$0] ?? -1 }
        var result = [Double](repeating: 0, count: log.candidates.count)
        var p: [Double] = []
        var candidates: [Int] = []
        let d = log.contextDimension
        for i in 0..<log.count {
            let range = log.candidateRange(i)
            candidates.removeAll(keepingCapacity: true)
            for k in range {
                guard mapping[log.candidates[k]] >= 0 else {
                    throw .targetFailed(line: log.lineNumbers[i], reason: "action '\(log.actionIDs[log.candidates[k]])' is not in the learned policy")
                }
                candidates.append(mapping[log.candidates[k]])
            }
            distribution(for: log.contexts[(i * d)..<((i + 1) * d)], among: candidates, into: &p)
            for (offset, k) in range.enumerated() { result[k] = p[offset] }
        }
        return result
    }
}
