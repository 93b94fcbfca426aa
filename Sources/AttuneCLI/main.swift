import AttuneCore
print("attune \(AttuneVersion.current)")
