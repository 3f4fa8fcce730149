/**
 * AlterConfigs (key 33, legacy) and IncrementalAlterConfigs (key 44) on topics. AlterConfigs
 * replaces a topic's overrides with the ones given (what it leaves out goes back to the default);
 * IncrementalAlterConfigs SETs, DELETEs, APPENDs to or SUBTRACTs from single configs (the last two
 * for the list config `cleanup.policy`). Kafka's topic configs with no meaning here are accepted and
 * ignored, as in CreateTopics. All or nothing per topic; `validateOnly` checks only.
 */
import { TributaryError } from '../../errors.ts';
import { TOPIC_CONFIG_NAMES } from '../../log/index.ts';
import { API } from '../../protocol/messages/index.ts';
import type { BrokerContext } from '../context.ts';
import { KafkaCode, kafkaCodeOf, kafkaMessageOf } from '../errors.ts';
import { handler } from '../handler.ts';
import { logConfigs } from './create-topics.ts';
import { RESOURCE_TOPIC } from './describe-configs.ts';

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

async function apply(
  broker: BrokerContext,
  resourceType: number,
  topic: string,
  changes: () => Promise<Record<string, string | null>>,
  validateOnly: boolean,
) {
  const base = { resourceType, resourceName: topic };
  if (resourceType !== RESOURCE_TOPIC) {
    return {
      ...base,
      errorCode: KafkaCode.INVALID_REQUEST,
      errorMessage: `Only topic configs can be altered here (resource type ${resourceType})`,
    };
  }
  try {
    const computed = await changes();
    if (validateOnly) {
      // The log validates everything before it changes anything; a dry run checks the names and values.
      await broker.log.describeTopic(topic);
      logConfigs(Object.entries(computed).map(([name, value]) => ({ name, value })));
    } else {
      await broker.log.alterConfigs(topic, computed);
    }
    return { ...base, errorCode: KafkaCode.NONE, errorMessage: null };
  } catch (err) {
    return { ...base, errorCode: kafkaCodeOf(err), errorMessage: kafkaMessageOf(err) };
  }
}

export const alterConfigsHandler = handler(API.AlterConfigs, async (broker, req) => {
  const responses = [];
  for (const r of req.resources) {
    responses.push(
      await apply(
        broker,
        r.resourceType,
        r.resourceName,
        async () => {
          const wanted = logConfigs(r.configs);
          const { overrides } = await broker.log.describeTopic(r.resourceName);
          const changes: Record<string, string | null> = {};
          for (const name of Object.keys(overrides)) if (!(name in wanted)) changes[name] = null;
          return { ...changes, ...wanted };
        },
        req.validateOnly,
      ),
    );
  }
  return { throttleTimeMs: 0, responses };
});

export const incrementalAlterConfigsHandler = handler(API.IncrementalAlterConfigs, async (broker, req) => {
  const responses = [];
  for (const r of req.resources) {
    responses.push(
      await apply(
        broker,
        r.resourceType,
        r.resourceName,
        async () => {
          const { configs } = await broker.log.describeTopic(r.resourceName);
          const changes: Record<string, string | null> = {};
          for (const c of r.configs) {
            if (!(TOPIC_CONFIG_NAMES as readonly string[]).includes(c.name)) {
              // Kafka's configs that mean nothing here pass; unknown names throw INVALID_CONFIG.
              logConfigs([{ name: c.name, value: null }]);
              continue;
            }
            if (c.configOperation === SET) changes[c.name] = c.value;
            else if (c.configOperation === DELETE) changes[c.name] = null;
            else if (c.configOperation === APPEND || c.configOperation === SUBTRACT) {
              if (c.name !== 'cleanup.policy')
                throw new TributaryError('INVALID_CONFIG', `${c.name} is not a list config`, { config: c.name });
              const current = new Set(String(changes[c.name] ?? configs['cleanup.policy']).split(','));
              for (const v of (c.value ?? '').split(',').filter(Boolean)) {
                if (c.configOperation === APPEND) current.add(v.trim());
                else current.delete(v.trim());
              }
              changes[c.name] = [...current].sort().join(',');
            } else {
              throw new TributaryError('INVALID_REQUEST', `Unknown config operation ${c.configOperation}`);
            }
          }
          return changes;
        },
        req.validateOnly,
      ),
    );
  }
  return { throttleTimeMs: 0, responses };
});
