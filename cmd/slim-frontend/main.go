// Command slim-frontend is the slim BuildKit frontend. Started by BuildKit
// (as the image named by `# syntax=org/slim`) it serves the gateway API on
// stdio and never writes to stdout; started by a person it is a CLI.
package main

import (
	"fmt"
	"os"

	"github.com/moby/buildkit/frontend/gateway/grpcclient"
	"github.com/moby/buildkit/util/appcontext"
	"github.com/moby/buildkit/util/bklog"
	_ "github.com/moby/buildkit/util/grpcutil/encoding/proto"
	"github.com/org/slim/frontend"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	if inGateway() {
		if err := grpcclient.RunFromEnvironment(appcontext.Context(), frontend.Build); err != nil {
			bklog.L.Errorf("fatal error: %+v", err)
			os.Exit(1)
		}
		return
	}
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "slim-frontend:", err)
		os.Exit(exitCode(err))
	}
}

// inGateway reports whether BuildKit started us as a frontend: it always
// passes the session id in the environment.
func inGateway() bool {
	return os.Getenv("BUILDKIT_SESSION_ID") != "" && len(os.Args) == 1
}
