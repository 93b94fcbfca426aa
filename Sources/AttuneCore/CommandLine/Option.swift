/// A named option that takes one value, such as `--seed 42`, `--seed=42` or `--format json`.
///
/// The value is checked while parsing, so a bad token is reported with the option's name and
/// the accepted values before the command runs.
///
/// ```
/// static let seed = Option<UInt64>("seed", default: 42, help: "Seed of the random generator.")
/// static let output = Option<String>("output", isRequired: true, help: "Where to write the model.")
/// static let report = Option<String>("report", help: "Optional HTML report.")
///
/// let seed = try arguments.value(Self.seed)              // 42 when absent
/// let output = try arguments.value(Self.output)          // parsing failed when absent
/// let report = try arguments.valueIfPresent(Self.report) // nil when absent
/// ```
public struct Option<Value: ArgumentValue>: ArgumentDeclaration {
    /// The specification used by the parser and the help text.
    public let specification: ArgumentSpecification
    /// The value used when the option is absent.
    public let defaultValue: Value?

    /// Declares an option.
    /// - Parameters:
    ///   - name: The long name, kebab-cased (`nInit` → `--n-init`).
    ///   - short: An optional one-letter alias.
    ///   - default: The value used when the option is absent, shown in the help text.
    ///   - isRequired: Whether parsing fails when the option is absent (only without a default).
    ///   - valueName: The placeholder in the help text; the option's name by default.
    ///   - help: One sentence for the help text.
    public init(
        _ name: String,
        short: Character? = nil,
        default: Value? = nil,
        isRequired: Bool = false,
        valueName: String? = nil,
        help: String
    ) {
        defaultValue = `default`
        specification = ArgumentSpecification(
            name: name,
            shortName: short,
            kind: .option,
            isRequired: isRequired && `default` == nil,
            help: help,
            valueName: valueName,
            defaultDescription: `default`?.argumentDescription,
            valueDescription: Value.valueDescription,
            allowedValues: Value.allowedValues,
            accepts: { Value(argument: $0) != nil }
        )
    }
}

/// A named option that may be given several times, such as `--estimator ips --estimator dr`;
/// its values are collected in command-line order.
public struct RepeatedOption<Value: ArgumentValue>: ArgumentDeclaration {
    /// The specification used by the parser and the help text.
    public let specification: ArgumentSpecification

    /// Declares a repeated option.
    /// - Parameters:
    ///   - name: The long name, kebab-cased.
    ///   - short: An optional one-letter alias.
    ///   - isRequired: Whether parsing fails when the option is not given at least once.
    ///   - valueName: The placeholder in the help text; the option's name by default.
    ///   - help: One sentence for the help text.
    public init(
        _ name: String,
        short: Character? = nil,
        isRequired: Bool = false,
        valueName: String? = nil,
        help: String
    ) {
        specification = ArgumentSpecification(
            name: name,
            shortName: short,
            kind: .option,
            isRepeating: true,
            isRequired: isRequired,
            help: help,
            valueName: valueName,
            valueDescription: Value.valueDescription,
            allowedValues: Value.allowedValues,
            accepts: { Value(argument: $0) != nil }
        )
    }
}
