import AttuneCore

await CommandLineTool(root: Attune.self).main()
