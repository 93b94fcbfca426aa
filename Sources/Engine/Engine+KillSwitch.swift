import Bandits
import Foundation

// MARK: - Kill switch

extension Engine {
    /// The file in the data directory that keeps kill switches across restarts.
    static let killSwitchFile = "kill-switches.json"

    /// Turns a policy's kill switch on (serve `actionID` instead of the policy's choice) or off
    /// (`nil`). While on, decisions are still logged (with probability 1 for the served action)
    /// and rewards still teach the model, so it can be switched back on without a cold start.
    /// When the fallback action is excluded or ineligible for a request, the first allowed
    /// candidate is served. The setting is written to the data directory before it takes effect.
    /// - Throws: `EngineError.unknownPolicy`, `.unknownAction`, `.checkpoint` when it cannot be saved.
    public func setKillSwitch(policy policyID: String, action actionID: String?) throws(EngineError) {
        let live = try policy(named: policyID)
        var index: Int?
        if let actionID {
            guard let i = live.catalog.index(of: ActionID(actionID)) else { throw .unknownAction(field: "action", id: actionID) }
            index = i
        }
        var switches = killSwitches
        switches[policyID] = actionID
        if let directory = configuration.dataDirectory {
            let data: Data
            do { data = try JSONEncoder().encode(switches) } catch {
                throw .checkpoint(path: Self.killSwitchFile, reason: "cannot encode (\(error))")
            }
            try AtomicFile.write(data, toDirectory: directory, name: Self.killSwitchFile)
        }
        live.serving.withLock { $0.fallbackAction = index }
    }

    /// Policy id → the action served while its kill switch is on.
    public var killSwitches: [String: String] {
        var result: [String: String] = [:]
        for (id, live) in policies {
            if let i = live.serving.withLock({ $0.fallbackAction }) { result[id] = live.catalog.actions[i].id.rawValue }
        }
        return result
    }

    static func restoreKillSwitches(_ policies: [String: LivePolicy], directory: String?) throws(EngineError) {
        guard let directory else { return }
        let path = directory + "/" + Self.killSwitchFile
        guard FileManager.default.fileExists(atPath: path) else { return }
        let switches: [String: String]
        do {
            switches = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .checkpoint(path: path, reason: "cannot read the kill switches (\(error))")
        }
        for (policyID, actionID) in switches.sorted(by: { $0.key < $1.key }) {
            // A policy removed since, or an action renamed, leaves the switch off for it.
            guard let live = policies[policyID], let i = live.catalog.index(of: ActionID(actionID)) else { continue }
            live.serving.withLock { $0.fallbackAction = i }
        }
    }
}
