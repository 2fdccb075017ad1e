import { field, registry, systemFields } from '../../../platform/registry/object-registry.js';

export const STAGE_CATEGORIES = ['open', 'won', 'lost'] as const;
export type StageCategory = (typeof STAGE_CATEGORIES)[number];

export const PIPELINE = registry.register({
  name: 'pipeline',
  plural: 'pipelines',
  table: 'pipelines',
  softDelete: true,
  defaultSort: [{ field: 'createdAt', direction: 'asc' }],
  fields: [
    ...systemFields(),
    field({ name: 'name', type: 'string', nullable: false, description: 'Pipeline name.' }),
    field({ name: 'description', type: 'text', description: 'What the pipeline is for.' }),
    field({
      name: 'active',
      type: 'boolean',
      nullable: false,
      description: 'Whether new opportunities may be created in it.',
    }),
  ],
  relations: [
    { kind: 'toMany', name: 'stages', target: 'stage', foreignField: 'pipelineId' },
    { kind: 'toMany', name: 'opportunities', target: 'opportunity', foreignField: 'pipelineId' },
  ],
});

export const STAGE = registry.register({
  name: 'stage',
  plural: 'stages',
  table: 'pipeline_stages',
  softDelete: true,
  defaultSort: [
    { field: 'pipelineId', direction: 'asc' },
    { field: 'position', direction: 'asc' },
  ],
  fields: [
    ...systemFields(),
    field({
      name: 'pipelineId',
      type: 'uuid',
      nullable: false,
      writable: 'create',
      description: 'The pipeline the stage belongs to.',
    }),
    field({ name: 'name', type: 'string', nullable: false, description: 'Stage name.' }),
    field({
      name: 'position',
      type: 'integer',
      nullable: false,
      // set by the service on create (end of the pipeline, or where asked); reordered only
      // through PUT /v1/pipelines/{id}/stage-order, which renumbers the whole pipeline
      writable: 'create',
      description: 'Place in the pipeline, 1 for the first stage; change it with PUT …/stage-order.',
    }),
    field({
      name: 'probability',
      type: 'integer',
      nullable: false,
      description: 'Default win probability (0–100) of opportunities entering the stage.',
    }),
    field({
      name: 'category',
      type: 'enum',
      enumValues: STAGE_CATEGORIES,
      nullable: false,
      description: 'open, won or lost: won and lost stages close an opportunity.',
    }),
    field({ name: 'description', type: 'text', description: 'What the stage means (exit criteria).' }),
  ],
  relations: [{ kind: 'toOne', name: 'pipeline', target: 'pipeline', field: 'pipelineId' }],
});
