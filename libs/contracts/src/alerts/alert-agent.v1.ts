import { IsString } from 'class-validator';
import { IsNonEmptyString } from '../common/field.decorators';

export class AlertAgentV1 {
  @IsNonEmptyString()
  id!: string;

  @IsString()
  name!: string;
}
