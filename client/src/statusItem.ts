// Shows the StatusModel as a VS Code LanguageStatusItem next to the language mode: state,
// last analysis and probe times, severity that rises when runs are slow; a click opens the
// output channel.
import * as vscode from 'vscode';
import { describeStatus, StatusModel, type StatusEvent, type StatusSnapshot } from './statusModel';

const SEVERITY: Record<StatusSnapshot['severity'], vscode.LanguageStatusSeverity> = {
  information: vscode.LanguageStatusSeverity.Information,
  warning: vscode.LanguageStatusSeverity.Warning,
  error: vscode.LanguageStatusSeverity.Error,
};

export class StatusItem implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;
  private readonly model: StatusModel;
  private readonly changed = new vscode.EventEmitter<StatusSnapshot>();
  /** Fires after every transition; tests wait on it instead of sleeping. */
  readonly onDidChange = this.changed.event;

  constructor(selector: vscode.DocumentSelector, probeTimeoutMs: () => number) {
    this.model = new StatusModel(probeTimeoutMs);
    this.item = vscode.languages.createLanguageStatusItem('symmetryLint.status', selector);
    this.item.name = 'Symmetry Lint';
    this.item.command = { title: 'Show Output', command: 'symmetryLint.showOutput' };
    this.render(this.model.snapshot());
  }

  apply(event: StatusEvent): void {
    const snapshot = this.model.apply(event);
    this.render(snapshot);
    this.changed.fire(snapshot);
  }

  snapshot(): StatusSnapshot {
    return this.model.snapshot();
  }

  private render(snapshot: StatusSnapshot): void {
    const { text, detail } = describeStatus(snapshot);
    this.item.text = text;
    this.item.detail = detail;
    this.item.severity = SEVERITY[snapshot.severity];
    this.item.busy = snapshot.state === 'starting' || snapshot.state === 'analysing' || snapshot.state === 'probing';
  }

  dispose(): void {
    this.item.dispose();
    this.changed.dispose();
  }
}
