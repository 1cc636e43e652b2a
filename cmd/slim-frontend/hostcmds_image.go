//go:build slimimage

package main

import "github.com/spf13/cobra"

func addHostCommands(*cobra.Command) {}
