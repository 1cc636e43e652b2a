package testenv

// ExampleDists are the packages the examples under examples/ install from
// the loopback index. For now the examples use the walking skeleton's
// packages; the realistic manifest replaces this list.
func ExampleDists() []Dist { return TinyDists }
