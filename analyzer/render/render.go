// Package render turns sources that are not plain objects into documents
// the readers read: a Kustomize overlay built, a Helm chart templated, a
// Terraform module or a CloudFormation template evaluated. Each rendered
// document carries a Locator, so that a finding on it points at the line a
// person edits (the patch, the values file, the HCL block), not at an
// intermediate rendering. Renderers read only through the scan's Guard:
// repository content names what they read and must not reach outside the
// tree or the network.
package render

import (
	"context"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/source"
)

// Options are what the person running irsalint says about rendering.
type Options struct {
	// NoRender reads every file raw, as it is.
	NoRender bool
	// Helm: values files (--values, in order, later ones win), --set and
	// --set-string assignments, the release's name and namespace.
	ValuesFiles      []string
	Set, SetString   []string
	ReleaseName      string
	ReleaseNamespace string
	// KubernetesVersion is the cluster's version (.Capabilities for Helm);
	// "" when not known.
	KubernetesVersion string
	// AccountID is the cluster's AWS account; "" when not known. Terraform
	// rarely states the account of the roles it creates.
	AccountID string
	// Partition is the cluster's ARN partition (from its region); "" when
	// not known.
	Partition string
	// Terraform: variable assignments (--tf-var NAME=VALUE) and variable
	// files (--tf-var-file), in order.
	TFVars     []string
	TFVarFiles []string
	// CloudFormation: parameter values (--cfn-parameter NAME=VALUE), which
	// win over the parameters' defaults.
	CFNParameters []string
	// WorkingDir is absolute: relative paths in options are relative to it.
	WorkingDir string
}

// Doc is one rendered document and the file it is named by in reports (the
// source the object came from). Doc.Origin is set.
type Doc struct {
	File string
	Doc  source.Doc
}

// Output is what rendering gave.
type Output struct {
	Docs []Doc
	// Consumed are the absolute paths of scanned files that were read as
	// sources (a kustomization's resources and patches, a chart's values):
	// they are not read again as objects.
	Consumed []string
	// Sources are the absolute paths of every file the rendering read, so
	// that a report is never written over one.
	Sources     []string
	Diagnostics []analyzer.Diagnostic
}

// Env is what a renderer works with.
type Env struct {
	Scan    *source.Scan
	Options Options
}

// Renderer renders the scan's units of one kind. It is given all of them at
// once, because whether a kustomization is an overlay to lint or a base
// another uses depends on the others. Outputs must not depend on the order
// of scheduling.
type Renderer interface {
	Render(ctx context.Context, units []source.Unit, env Env) Output
}

// FileRenderer renders single files of a format the YAML decoder cannot
// read as plain values (CloudFormation's short-form tags).
type FileRenderer interface {
	// Claims tells whether the file is of its format, from its bytes.
	Claims(f source.File) bool
	// RenderFile renders a claimed file; the output's Consumed is implied.
	RenderFile(f source.File, env Env) Output
}

// Run renders every unit of the scan with the renderers by unit kind, in
// the order of kinds given, and joins their outputs.
func Run(ctx context.Context, scan *source.Scan, renderers []Kind, opts Options) Output {
	var out Output
	if opts.NoRender {
		return out
	}
	env := Env{Scan: scan, Options: opts}
	for _, k := range renderers {
		var units []source.Unit
		for _, u := range scan.Units {
			if u.Kind == k.Kind {
				units = append(units, u)
			}
		}
		if len(units) == 0 || ctx.Err() != nil {
			continue
		}
		o := k.Renderer.Render(ctx, units, env)
		out.Docs = append(out.Docs, o.Docs...)
		out.Consumed = append(out.Consumed, o.Consumed...)
		out.Sources = append(out.Sources, o.Sources...)
		out.Diagnostics = append(out.Diagnostics, o.Diagnostics...)
	}
	return out
}

// Kind pairs a unit kind with its renderer.
type Kind struct {
	Kind     string
	Renderer Renderer
}
