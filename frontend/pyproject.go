package frontend

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	"github.com/org/slim/llbrewrite"
	toml "github.com/pelletier/go-toml/v2"
)

// pyprojectName is the file Poetry reads its groups from.
const pyprojectName = "pyproject.toml"

// PoetryProjectFromFiles reads Poetry's dependency groups from the
// pyproject.toml files of a build context (path → content): groups under
// [tool.poetry.group.*], the old [tool.poetry.dev-dependencies] (group
// "dev") and PEP 735 [dependency-groups]. Files that configure neither
// Poetry nor dependency groups are not counted.
func PoetryProjectFromFiles(files map[string][]byte) *llbrewrite.PoetryProject {
	proj := &llbrewrite.PoetryProject{}
	groups := map[string]bool{}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		var doc map[string]any
		if err := toml.Unmarshal(files[p], &doc); err != nil {
			proj.Files = append(proj.Files, p)
			// An unreadable file may hold any group: count it as a
			// non-dev one, so the rule keeps every group.
			groups["(unparsable "+p+")"] = true
			continue
		}
		names, ok := pyprojectGroups(doc)
		if !ok {
			continue
		}
		proj.Files = append(proj.Files, p)
		for _, n := range names {
			groups[n] = true
		}
	}
	for g := range groups {
		proj.Groups = append(proj.Groups, g)
	}
	sort.Strings(proj.Groups)
	return proj
}

// pyprojectGroups returns the non-main groups of one pyproject.toml, and
// whether it configures Poetry or dependency groups at all.
func pyprojectGroups(doc map[string]any) ([]string, bool) {
	var names []string
	tool, _ := doc["tool"].(map[string]any)
	poetry, isPoetry := tool["poetry"].(map[string]any)
	if isPoetry {
		if g, ok := poetry["group"].(map[string]any); ok {
			for n := range g {
				names = append(names, n)
			}
		}
		if _, ok := poetry["dev-dependencies"]; ok {
			names = append(names, "dev")
		}
	}
	dg, hasGroups := doc["dependency-groups"].(map[string]any)
	for n := range dg {
		names = append(names, n)
	}
	var out []string
	for _, n := range names {
		if n != "main" {
			out = append(out, n)
		}
	}
	return out, isPoetry || hasGroups
}

// skipDirs are not searched for pyproject.toml in a local context: they
// hold installed or vendored packages, not the project.
var skipDirs = map[string]bool{".git": true, "node_modules": true, ".venv": true, "venv": true, "site-packages": true, ".tox": true, ".nox": true}

// PyprojectsInDir reads the pyproject.toml files under dir (a local build
// context), for plan.
func PyprojectsInDir(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != dir && skipDirs[d.Name()] {
			return filepath.SkipDir
		}
		if d.IsDir() || d.Name() != pyprojectName {
			return nil
		}
		dt, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = dt
		return nil
	})
	return files, err
}

// contextPyprojects reads the pyproject.toml files of the build's main
// context through the daemon: a solve of the context with only those files
// included (and .dockerignore applied), as the stock builder loads it.
func contextPyprojects(ctx context.Context, c client.Client) (map[string][]byte, error) {
	bc, err := dockerui.NewClient(c)
	if err != nil {
		return nil, err
	}
	st, err := bc.MainContext(ctx, llb.IncludePatterns([]string{"**/" + pyprojectName}), dockerui.WithInternalName("[slim] read pyproject.toml for PoetryOnlyMain"))
	if err != nil {
		return nil, err
	}
	def, err := st.Marshal(ctx)
	if err != nil {
		return nil, err
	}
	res, err := c.Solve(ctx, client.SolveRequest{Definition: def.ToPB()})
	if err != nil {
		return nil, err
	}
	ref, err := res.SingleRef()
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	return files, readPyprojects(ctx, ref, "", files)
}

func readPyprojects(ctx context.Context, ref client.Reference, dir string, files map[string][]byte) error {
	if ref == nil {
		return nil
	}
	entries, err := ref.ReadDir(ctx, client.ReadDirRequest{Path: "/" + dir})
	if err != nil {
		return fmt.Errorf("read context dir /%s: %w", dir, err)
	}
	for _, e := range entries {
		p := strings.TrimPrefix(dir+"/"+e.GetPath(), "/")
		switch {
		case e.IsDir() && !skipDirs[e.GetPath()]:
			if err := readPyprojects(ctx, ref, p, files); err != nil {
				return err
			}
		case e.GetPath() == pyprojectName:
			dt, err := ref.ReadFile(ctx, client.ReadRequest{Filename: "/" + p})
			if err != nil {
				return fmt.Errorf("read context file %s: %w", p, err)
			}
			files[p] = dt
		}
	}
	return nil
}

// mentionsPoetryInstall reports whether any exec of def runs something
// that mentions poetry and install, so that builds without Poetry never
// read the context.
func mentionsPoetryInstall(def *pb.Definition) bool {
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			continue
		}
		if e := op.GetExec(); e != nil && e.Meta != nil {
			args := strings.Join(e.Meta.Args, " ")
			if strings.Contains(args, "poetry") && strings.Contains(args, "install") {
				return true
			}
		}
	}
	return false
}
