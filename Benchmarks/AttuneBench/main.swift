import AttuneCore
print("attune-bench \(AttuneVersion.current)")
