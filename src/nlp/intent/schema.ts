/** Zod schemas (and their inferred types) for intent predictions and explanations. */
import { z } from 'zod';

/** Confidence a part of a text needs to count as a separate intent (the default of `multiIntentThreshold`). */
export const MULTI_INTENT_THRESHOLD = 0.7;

export const LabelledExampleSchema = z.object({
  text: z.string(),
  label: z.string().min(1),
  /** false: trained on but never held out for calibration (text that is not a customer's message, such as an
   * article's statements: the calibration must measure how tickets are read). */
  calibrate: z.boolean().optional(),
});
export type LabelledExample = z.infer<typeof LabelledExampleSchema>;

export const AlternativeSchema = z.object({
  intent: z.string(),
  probability: z.number().min(0).max(1),
});

export const TermContributionSchema = z.object({
  term: z.string(),
  weight: z.number(),
});

export const NeighbourSchema = z.object({
  text: z.string(),
  label: z.string(),
  similarity: z.number(),
});

export const ExplanationSchema = z.object({
  /** Words/bigrams that pushed the predicted intent up (positive) or down (negative). */
  topTerms: z.array(TermContributionSchema),
  /** Most similar labelled examples. */
  neighbours: z.array(NeighbourSchema),
});
export type IntentExplanation = z.infer<typeof ExplanationSchema>;

export const MultiIntentSchema = z.object({
  intents: z.array(z.string()).min(2),
  parts: z.array(z.object({ text: z.string(), intent: z.string(), confidence: z.number().min(0).max(1) })),
});
export type MultiIntent = z.infer<typeof MultiIntentSchema>;

export const IntentPredictionSchema = z.object({
  /** Best intent, or null when the text is out of scope (confidence under the model's threshold). */
  intent: z.string().nullable(),
  /** Calibrated probability that the top intent is right. */
  confidence: z.number().min(0).max(1),
  outOfScope: z.boolean(),
  /** The top intent that was considered, even when `intent` is null. */
  topIntent: z.string().nullable(),
  alternatives: z.array(AlternativeSchema),
  multiIntent: MultiIntentSchema.nullable(),
  explanation: ExplanationSchema,
});
export type IntentPrediction = z.infer<typeof IntentPredictionSchema>;

export const IntentClassifierOptionsSchema = z.object({
  /** Hash-bucketed char n-gram range inside word boundaries. */
  charMin: z.number().int().min(1).default(3),
  charMax: z.number().int().min(1).default(5),
  /** Word n-grams up to this order. */
  wordMaxN: z.number().int().min(1).max(3).default(2),
  /** Minimum document frequency for a feature to get its own weights at training time. */
  minDf: z.number().int().min(1).default(2),
  /** Training epochs of the Adagrad logistic regression. */
  epochs: z.number().int().min(1).default(11),
  learningRate: z.number().positive().default(0.2),
  /** Linearly decay the learning rate (mean rate = learningRate) over the epochs. */
  lrDecay: z.boolean().default(false),
  /** Add a second linear model trained with the multiclass hinge loss (ensemble). */
  hingeEnsemble: z.boolean().default(true),
  hingeLearningRate: z.number().positive().default(0.05),
  hingeEpochs: z.number().int().min(1).default(6),
  /** Weight of the hinge model's scores (null = fit on the held-out slice). */
  hingeWeight: z.number().min(0).nullable().default(null),
  /** Training loss of the linear model. */
  loss: z.enum(['logistic', 'hinge', 'squared-hinge']).default('logistic'),
  /** Margin of the hinge losses. */
  margin: z.number().positive().default(1),
  /** Average end-of-epoch weights from this share of the epochs on (1 = no averaging). */
  averageFrom: z.number().min(0).max(1).default(1),
  l2: z.number().min(0).default(1e-6),
  /** Pooled word-vector features fed to the regression: mean, or mean and max. */
  pooling: z.enum(['mean', 'meanmax']).default('mean'),
  /** Scale of the pooled word-vector features (0 disables word vectors entirely). */
  vectorScale: z.number().min(0).default(1),
  /** Weight of the nearest-neighbour evidence (null = fit on the held-out slice). */
  knnWeight: z.number().min(0).nullable().default(null),
  /** Weight of the semantic (word-vector) neighbour evidence (null = fit on the held-out slice). */
  semWeight: z.number().min(0).nullable().default(null),
  /** Number of neighbours used for evidence and explanations. */
  neighbours: z.number().int().min(1).default(5),
  /** Share of training data held out for calibration. */
  holdout: z.number().min(0).max(0.5).default(0.1),
  /** Fixed out-of-scope confidence threshold; null = fit (95% precision on held-out). */
  oosThreshold: z.number().min(0).max(1).nullable().default(null),
  /** Confidence each part needs to be flagged as a separate intent. */
  multiIntentThreshold: z.number().min(0).max(1).default(MULTI_INTENT_THRESHOLD),
  /** SGD step size of online updates. */
  updateRate: z.number().positive().default(0.5),
  seed: z.number().int().default(7),
});
export type IntentClassifierOptions = z.infer<typeof IntentClassifierOptionsSchema>;
