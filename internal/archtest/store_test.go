package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// tops are, per package, the functions that may take the whole store
// transaction (bot.Tx): the router's, which runs every feature's handlers
// in it, and the gate's, which runs the commands open to everyone. The
// interfaces of bot's that a feature implements take the part they use
// (bot.Engine an EngineTx, bot.Cases a CaseTx, bot.Assigner an
// AssignerTx); everything else in a feature takes its own part (its Tx).
var tops = map[string]int{
	"router":     8, // handleIn, dispatch, command, offer, option, left, welcome, start (runs a command)
	"privacy":    1, // Admit (runs the commands open to everyone)
	"flows":      0,
	"cases":      0,
	"course":     0,
	"learning":   0,
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
