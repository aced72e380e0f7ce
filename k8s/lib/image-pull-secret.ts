import { isEcrRegistry, isPublicRegistry, parseImageReference } from '../../lib/config/image-reference';

/**
 * The pull secret an image needs: none for ECR (nodes pull with their instance role) or a public registry,
 * the configured one for any other (private) registry. An empty name means "never reference one".
 */
export function pullSecretFor(image: string, secretName: string): string | undefined {
  if (secretName === '') return undefined;
  const { registry } = parseImageReference(image);
  return isEcrRegistry(registry) || isPublicRegistry(registry) ? undefined : secretName;
}
