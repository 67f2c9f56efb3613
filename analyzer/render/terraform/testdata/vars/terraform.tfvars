namespaces = ["b", "c"]
