// Package treecheck holds tests about the repository tree itself, such as
// the rule that no package registry's host is written into it: registries
// are read from the machine's configuration at run time.
package treecheck
