// The language client shows protocol traces only when its trace channel's log level is Trace,
// which a user never sets: `symmetryLint.trace.server: verbose` alone showed nothing. This
// LogOutputChannel reports the level the setting implies (Trace unless the setting is off) and
// writes the trace lines to the extension's channel at info level, so the setting takes effect
// on its own.
import * as vscode from 'vscode';
import { CONFIGURATION_SECTION } from '../../server/src/protocol';

export function traceSetting(): 'off' | 'messages' | 'verbose' {
  const value = vscode.workspace.getConfiguration(CONFIGURATION_SECTION).get<string>('trace.server');
  return value === 'messages' || value === 'verbose' ? value : 'off';
}

export class SettingTraceChannel implements vscode.LogOutputChannel {
  private readonly levelEmitter = new vscode.EventEmitter<vscode.LogLevel>();
  readonly onDidChangeLogLevel = this.levelEmitter.event;
  private readonly subscription: vscode.Disposable;
  private level: vscode.LogLevel;

  constructor(private readonly target: vscode.LogOutputChannel) {
    this.level = SettingTraceChannel.levelOf(traceSetting());
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(`${CONFIGURATION_SECTION}.trace.server`)) return;
      const level = SettingTraceChannel.levelOf(traceSetting());
      if (level === this.level) return;
      this.level = level;
      this.levelEmitter.fire(level);
    });
  }

  private static levelOf(setting: 'off' | 'messages' | 'verbose'): vscode.LogLevel {
    return setting === 'off' ? vscode.LogLevel.Off : vscode.LogLevel.Trace;
  }

  get name(): string {
    return this.target.name;
  }

  get logLevel(): vscode.LogLevel {
    return this.level;
  }

  trace(message: string, ...args: unknown[]): void {
    if (this.level === vscode.LogLevel.Trace) this.target.info(`[trace] ${message}`, ...args);
  }
  debug(message: string, ...args: unknown[]): void {
    this.target.debug(message, ...args);
  }
  info(message: string, ...args: unknown[]): void {
    this.target.info(message, ...args);
  }
  warn(message: string, ...args: unknown[]): void {
    this.target.warn(message, ...args);
  }
  error(error: string | Error, ...args: unknown[]): void {
    this.target.error(error, ...args);
  }
  append(value: string): void {
    this.target.append(value);
  }
  appendLine(value: string): void {
    this.target.appendLine(value);
  }
  replace(value: string): void {
    this.target.replace(value);
  }
  clear(): void {
    this.target.clear();
  }
  show(columnOrPreserveFocus?: vscode.ViewColumn | boolean, preserveFocus?: boolean): void {
    if (typeof columnOrPreserveFocus === 'boolean') this.target.show(columnOrPreserveFocus);
    else this.target.show(columnOrPreserveFocus, preserveFocus);
  }
  hide(): void {
    this.target.hide();
  }
  dispose(): void {
    this.subscription.dispose();
    this.levelEmitter.dispose();
  }
}
