package placement

// SeparateLotteriesOnce is the no-cascade variant, for the tests' figures.
var SeparateLotteriesOnce = separateLotteriesOnce
