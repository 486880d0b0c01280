// What the user's code does with tfjs while the execute-mode probe runs it (issue 12): every model
// it builds with `tf.sequential` / `tf.model` is recorded, so a model the holder's path cannot
// hand back (built inside a method whose result wraps it, stored on a page's component, or built
// just before training fails on missing data) can still be found among the models the code
// built. Training and saving on those models do nothing: the probe re-draws the weights anyway,
// and a probe must neither spend minutes in `fit` nor write files. Loading a pretrained model
// (`tf.loadLayersModel(url)`) is refused with a plain reason: the probe works offline.
// Runs inside the probe worker only.
import type * as tfjs from '@tensorflow/tfjs';
import { ProbeFailure } from './measurement';

type TF = typeof tfjs;

/**
 * A model that cannot be measured offline: the probe reports it as skipped, not failed (the code
 * is not at fault, the probe chose not to download).
 */
export class ProbeSkip extends ProbeFailure {}

/** Methods of a built model that train or save it: replaced by no-ops on recorded models. */
const TRAINING_METHODS = ['fit', 'fitDataset', 'trainOnBatch', 'save'] as const;

/** An empty training history: code that reads `history.history.loss` gets an empty list. */
function emptyHistory(): object {
  return { epoch: [], history: new Proxy({}, { get: (own: Record<string, unknown>, key) => (typeof key === 'string' ? (own[key] ??= []) : undefined) }), params: {} };
}

export class ExecuteRecorder {
  /** Models the code built, in order. */
  readonly built: tfjs.LayersModel[] = [];
  /** Pretrained models the code asked for and did not get (their address, as the code gave it). */
  readonly refusedDownloads: string[] = [];
  private trainingSkipped = false;

  constructor(private readonly notes: string[]) {}

  /**
   * Replaces, on the tfjs namespace copy the user's code sees, the factories that build models
   * and the loaders that fetch pretrained ones. The worker's own tfjs is left alone.
   */
  install(tf: TF, userTf: TF): void {
    const define = (name: string, value: unknown) => Object.defineProperty(userTf, name, { enumerable: true, configurable: true, value });
    define('sequential', (config?: tfjs.SequentialArgs) => this.record(tf.sequential(config)));
    define('model', (config: Parameters<TF['model']>[0]) => this.record(tf.model(config)));
    const refuse = (loader: string) => (address: unknown) => {
      const where = typeof address === 'string' ? address : address === undefined ? 'an address the probe does not know' : 'a source that is not a URL';
      this.refusedDownloads.push(where);
      return Promise.reject(new ProbeSkip(`the code loads a pretrained model (${loader}(${typeof address === 'string' ? JSON.stringify(address) : '…'})): the probe works offline and does not download models, so this model is not measured`));
    };
    define('loadLayersModel', refuse('tf.loadLayersModel'));
    define('loadGraphModel', refuse('tf.loadGraphModel'));
  }

  private record<M extends tfjs.LayersModel>(model: M): M {
    this.built.push(model);
    const target = model as unknown as Record<string, unknown>;
    for (const method of TRAINING_METHODS) {
      target[method] = () => {
        if (!this.trainingSkipped) {
          this.trainingSkipped = true;
          this.notes.push('training and saving skipped (model.fit, model.save, ... do nothing): the probe measures the architecture with weights it draws itself');
        }
        return Promise.resolve(method === 'save' ? { modelArtifactsInfo: {} } : method === 'trainOnBatch' ? 0 : emptyHistory());
      };
    }
    return model;
  }

  /**
   * The recorded model whose layers best match the source's (by kind, in order), when one matches
   * at least half of them; `score` counts matched layers.
   */
  bestMatch(tf: TF, sourceLayerCount: number, score: (model: tfjs.LayersModel) => number): tfjs.LayersModel | undefined {
    let best: { model: tfjs.LayersModel; matched: number } | undefined;
    for (const model of this.built) {
      if (!(model instanceof tf.LayersModel) || model.layers.length === 0) continue;
      const matched = score(model);
      // Later models win ties: code that builds a model twice (a rebuild with new sizes) means the last.
      if (!best || matched >= best.matched) best = { model, matched };
    }
    if (!best || best.matched === 0 || best.matched * 2 < Math.min(sourceLayerCount, best.model.layers.length)) return undefined;
    return best.model;
  }
}
