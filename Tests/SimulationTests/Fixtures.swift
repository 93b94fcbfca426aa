import Foundation
@testable import Simulation

/// The repository's `simulations/` folder.
let simulationsDirectory: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("simulations").path

/// Every shipped scenario file name.
let shippedScenarios = ["linear-d20-k10.json", "retail-offers.json", "retail-pricing.json",
                        "retail-content.json", "retail-drift.json", "retail-churn.json"]

/// A small linear scenario document; `extra` is appended to the top-level object and `model`
/// is the reward section's content.
func linearScenarioJSON(_ extra: String = "", model: String = "\"model\": \"bernoulli_logistic\", \"seed\": 3") -> String {
    """
    {"format": "attune.simulation/1", "id": "t", "kind": "linear_contextual", "horizon": 100,
     "linear_contextual": {"dimension": 3, "actions": 4, "reward": {\(model)}},
     "policies": [{"name": "random", "baseline": "random"}]\(extra)}
    """
}

/// A minimal retail specification for behaviour tests: one segment, offers without attributes
/// except a constant, no fatigue or churn unless changed.
func smallRetail(_ change: (inout RetailSpecification) -> Void = { _ in }) throws -> RetailSpecification {
    let json = """
    {"customers": 300, "rounds_per_day": 100, "objective": "conversion", "features": ["x"],
     "segments": [{"name": "a", "share": 1, "profile": [0], "base_utility": -1, "preferences": [1]}],
     "actions": [{"id": "plain", "features": [0]}, {"id": "loud", "features": [1]}]}
    """
    var spec = try retailSpecification(json)
    change(&spec)
    return spec
}

/// Decodes a `retail` section on its own, as the scenario decoder does.
func retailSpecification(_ json: String) throws(SimulationError) -> RetailSpecification {
    try ObjectReader.read(Data(json.utf8), source: "retail.json", path: "$.retail") { r throws(SimulationError) in
        try RetailSpecification(reading: r)
    }
}
