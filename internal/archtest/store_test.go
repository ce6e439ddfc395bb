package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// tops are, per feature, the functions that may take the whole store
// transaction (bot.Tx): those that implement an interface of bot's that
// takes it (bot.Cases, bot.Assigner, bot.Gatekeeper), drive the lesson
// engine, and the adapters that give the feature's handlers its own part
// of the store (its Tx). Everything else in a feature takes that part.
var tops = map[string]int{
	"cases":      2, // Open, Escalate
	"course":     4, // Assign, Unassign, Assigned; open (starts a lesson)
	"learning":   5, // the commands that start, stop and assign lessons
	"privacy":    1, // Admit
	"review":     0,
	"motivation": 0,
}

// TestFeaturesSeeTheirPart: a feature's functions take its part of the
// store (its Tx), not the whole; only its few tops see bot.Tx.
func TestFeaturesSeeTheirPart(t *testing.T) {
	for pkg, most := range tops {
		files, err := filepath.Glob(filepath.Join("..", "..", pkg, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		var whole []string
		fset := token.NewFileSet()
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range file.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Type.Params == nil {
					continue
				}
				for _, p := range fn.Type.Params.List {
					if sel, ok := p.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Tx" {
						if id, ok := sel.X.(*ast.Ident); ok && id.Name == "bot" {
							whole = append(whole, fn.Name.Name)
						}
					}
				}
			}
		}
		if len(whole) > most {
			t.Errorf("%s: %d functions take the whole bot.Tx (%s), at most %d: take the feature's Tx", pkg, len(whole), strings.Join(whole, ", "), most)
		}
	}
}
