import AttuneCore
import Bandits

// MARK: - Ground truth for evaluators

extension SimulationRunner {
    /// The true value of a policy on seed `seed`'s stream: the mean over rounds of the
    /// expected reward of its whole distribution,
    ///
    /// ```
    /// V(π) = (1/T) Σ_t Σ_i π(a_i | x_t) · E[r | x_t, a_i]
    /// ```
    /// with contexts from the seed's context stream (the same every policy sees in a study).
    /// The policy is not updated (`learns: false`) unless asked; in environments with state
    /// (fatigue, churn, budgets) the state follows the actions it samples.
    ///
    /// This is what an off-policy estimate of `policy` on a log of the same stream should
    /// recover, without the noise of realized rewards.
    /// - Throws: `SimulationError.policy` when the policy refuses a context or candidates.
    /// - Complexity: O(horizon × (policy + environment cost)).
    public func trueValue(of policy: some Policy, seed: UInt64, learns: Bool = false) throws(SimulationError) -> Double {
        var policy = policy
        try checkCompatible(policy, name: "policy")
        var env = environment
        let master = SeededGenerator(seed: seed)
        var populationStream = master.child(0), contextStream = master.child(1)
        var responseStream = master.child(2), policyStream = master.child(3)
        env.reset(using: &populationStream)
        var context = Context(features: Array(repeating: 0, count: env.contextDimension))
        var candidates: [Int] = []
        var decision = Decision()
        var total = 0.0
        for round in 0..<horizon {
            guard env.beginRound(round, context: &context, candidates: &candidates, using: &contextStream) else { continue }
            for slot in 0..<env.slotCount where !candidates.isEmpty {
                do throws(BanditsError) {
                    try policy.decide(for: context, among: candidates, using: &policyStream, into: &decision)
                    total += env.expectedReward(of: decision.probabilities, among: decision.candidates, slot: slot)
                    let outcome = env.respond(to: decision.action, slot: slot, using: &responseStream)
                    if learns { try policy.learn(from: Interaction(context: context, decision: decision, reward: outcome.reward)) }
                } catch {
                    throw .policy("policy", error)
                }
                if env.slotCount > 1 { candidates.remove(at: decision.position) }
            }
            _ = env.endRound(using: &responseStream)
        }
        return total / Double(horizon)
    }
}
