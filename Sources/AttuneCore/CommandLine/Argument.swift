/// A positional argument, such as the scenario file of `attune simulate SCENARIO.json`.
///
/// Positional arguments are matched in the order they are declared. One without a default is
/// required.
///
/// ```
/// static let scenario = Argument<String>("scenario", help: "The scenario file (JSON).")
/// let path = try arguments.value(Self.scenario)
/// ```
public struct Argument<Value: ArgumentValue>: ArgumentDeclaration {
    /// The specification used by the parser and the help text.
    public let specification: ArgumentSpecification
    /// The value used when the argument is absent; `nil` makes the argument required.
    public let defaultValue: Value?

    /// Declares a positional argument.
    /// - Parameters:
    ///   - name: The name shown as `<name>` in the help text, kebab-cased.
    ///   - default: The value used when the argument is absent; without one it is required.
    ///   - help: One sentence for the help text.
    public init(_ name: String, default: Value? = nil, help: String) {
        defaultValue = `default`
        specification = ArgumentSpecification(
            name: name,
            kind: .positional,
            isRequired: `default` == nil,
            help: help,
            defaultDescription: `default`?.argumentDescription,
            valueDescription: Value.valueDescription,
            allowedValues: Value.allowedValues,
            accepts: { Value(argument: $0) != nil }
        )
    }
}

/// A positional argument that takes all remaining tokens, such as the files of
/// `attune policy validate F...`. Declare it last.
public struct RepeatedArgument<Value: ArgumentValue>: ArgumentDeclaration {
    /// The specification used by the parser and the help text.
    public let specification: ArgumentSpecification

    /// Declares a repeated positional argument.
    /// - Parameters:
    ///   - name: The name shown as `<name> ...` in the help text, kebab-cased.
    ///   - isRequired: Whether at least one value must be given.
    ///   - help: One sentence for the help text.
    public init(_ name: String, isRequired: Bool = true, help: String) {
        specification = ArgumentSpecification(
            name: name,
            kind: .positional,
            isRepeating: true,
            isRequired: isRequired,
            help: help,
            valueDescription: Value.valueDescription,
            allowedValues: Value.allowedValues,
            accepts: { Value(argument: $0) != nil }
        )
    }
}
