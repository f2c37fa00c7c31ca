import MantisCore
