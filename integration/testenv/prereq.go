package testenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// hostTool is a program the environment runs on the host, and the Debian
// package that provides it.
type hostTool struct {
	name, pkg string
}

// hostTools are what Up needs on PATH. Only runc and debootstrap are missing
// on a fresh Debian machine; the rest are listed so that the message names
// them too when they are.
var hostTools = []hostTool{
	{"runc", "runc"},
	{"debootstrap", "debootstrap"},
	{"tar", "tar"},
	{"chroot", "coreutils"},
	{"docker", "docker.io"},
}

// provisionable are the packages Provision installs itself; the docker CLI
// is not among them (Debian's package brings a daemon along), so a missing
// docker is reported with the command instead.
var provisionable = map[string]bool{"runc": true, "debootstrap": true, "tar": true, "coreutils": true}

// ErrCannotProvision wraps every error that means the environment cannot run
// on this machine as things stand (not root, no apt-get): the caller can
// skip instead of failing.
var ErrCannotProvision = errors.New("cannot provision the end-to-end environment")

// provisionMu serializes Provision within a process (apt-get takes a lock
// of its own across processes).
var provisionMu sync.Mutex

// Provision makes sure this process can run the environment: it is root
// (buildkitd runs rootful; debootstrap and chroot make the stand-in images)
// and the host tools Up runs are on PATH. When some are missing and this
// process is root on a machine with apt-get, it installs them (apt-get
// update once, then apt-get install --no-install-recommends) and says so in
// one line on log. Otherwise it returns an error wrapping
// ErrCannotProvision that says what to run. It does nothing else first, so
// it fails fast.
func Provision(ctx context.Context, log io.Writer) error {
	provisionMu.Lock()
	defer provisionMu.Unlock()
	missing, pkgs := missingHostTools()
	command := "apt-get update && apt-get install -y --no-install-recommends " + strings.Join(pkgs, " ")
	what := "not on PATH: " + strings.Join(missing, ", ")
	if os.Geteuid() != 0 {
		msg := "the environment needs root (a rootful buildkitd with runc; debootstrap and chroot for the stand-in images): run as root, or set BUILDKIT_HOST to a daemon of your own"
		if len(missing) > 0 {
			msg = what + "; install them with: " + sudo(command) + "; and " + msg
		}
		return fmt.Errorf("%w: %s", ErrCannotProvision, msg)
	}
	if len(missing) == 0 {
		return nil
	}
	for _, p := range pkgs {
		if !provisionable[p] {
			return fmt.Errorf("%w: %s; install with: %s", ErrCannotProvision, what, sudo(command))
		}
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return fmt.Errorf("%w: %s, and there is no apt-get to install them with; install the packages %s with this machine's package manager",
			ErrCannotProvision, what, strings.Join(pkgs, ", "))
	}
	start := time.Now()
	fmt.Fprintf(log, "testenv: %s; installing with: %s\n", what, command)
	if err := aptInstall(ctx, pkgs); err != nil {
		return err
	}
	if still, _ := missingHostTools(); len(still) > 0 {
		return fmt.Errorf("testenv: apt-get installed %s, but %s is still not on PATH (%s)",
			strings.Join(pkgs, " "), strings.Join(still, ", "), os.Getenv("PATH"))
	}
	fmt.Fprintf(log, "testenv: installed %s %.1fs\n", strings.Join(pkgs, " "), time.Since(start).Seconds())
	return nil
}

// missingHostTools returns the missing tools and their packages, in order.
// A tool in an sbin directory counts as present: a non-root PATH often
// lacks those, and root's has them.
func missingHostTools() (tools, pkgs []string) {
	for _, t := range hostTools {
		if !onHost(t.name) {
			tools = append(tools, t.name)
			if !contains(pkgs, t.pkg) {
				pkgs = append(pkgs, t.pkg)
			}
		}
	}
	return tools, pkgs
}

func onHost(name string) bool {
	if _, err := exec.LookPath(name); err == nil {
		return true
	}
	for _, dir := range []string{"/usr/local/sbin", "/usr/sbin", "/sbin"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return true
		}
	}
	return false
}

func sudo(command string) string {
	return "sudo sh -c '" + command + "'"
}

func aptInstall(ctx context.Context, pkgs []string) error {
	env := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	steps := [][]string{
		{"apt-get", "update", "-q"},
		append([]string{"apt-get", "install", "-y", "-q", "--no-install-recommends"}, pkgs...),
	}
	for _, args := range steps {
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("testenv: %s: %w\n%s", strings.Join(args, " "), err, tail(out, 3000))
		}
	}
	return nil
}
