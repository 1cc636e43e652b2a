package frontend

import (
	"context"
	"fmt"

	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	"github.com/org/slim/llbrewrite"
)

// warnFinding reports f as a build warning at its Dockerfile line, once per
// build (Solve runs once per platform).
func (ic *interceptor) warnFinding(ctx context.Context, def *pb.Definition, f llbrewrite.Finding) {
	msg := fmt.Sprintf("%s: %s (line %d)", f.Rule, f.Reason, f.Line)
	key := fmt.Sprintf("%s\x00%d\x00%s\x00%s", f.Rule, f.Line, f.Before, f.After)
	if !ic.firstTime(key) {
		return
	}
	opts := client.WarnOpts{
		Level:  1,
		URL:    ic.ruleURL(f.Rule),
		Detail: [][]byte{[]byte(fmt.Sprintf("before: %s", f.Before)), []byte(fmt.Sprintf("after:  %s", f.After))},
	}
	if f.Location != nil && def.Source != nil && int(f.Location.SourceIndex) < len(def.Source.Infos) {
		opts.SourceInfo = def.Source.Infos[f.Location.SourceIndex]
		opts.Range = f.Location.Ranges
	}
	_ = ic.Client.Warn(ctx, f.Digest, msg, opts)
}

// ruleURL is the docs page of the rule that made a finding.
func (ic *interceptor) ruleURL(name string) string {
	if r, ok := ic.rules.Lookup(name); ok {
		return r.URL
	}
	return ""
}

// warnOnce reports a message not tied to a line (e.g. the fail-safe).
func (ic *interceptor) warnOnce(ctx context.Context, def *pb.Definition, msg string) {
	if !ic.firstTime(msg) {
		return
	}
	opts := client.WarnOpts{Level: 1}
	if info := dockerfileInfo(def); info != nil {
		opts.SourceInfo = info
	}
	_ = ic.Client.Warn(ctx, "", msg, opts)
}

func (ic *interceptor) firstTime(key string) bool {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if ic.warned[key] {
		return false
	}
	ic.warned[key] = true
	return true
}
