import { renderTable } from './table';

describe('renderTable', () => {
  it('pads each column to its widest cell and leaves no trailing spaces', () => {
    expect(renderTable(['P', 'OWNER', 'LAG'], [['0', 'consumer-a', '12'], ['10', '-', '0']])).toBe(['P   OWNER       LAG', '0   consumer-a  12', '10  -           0'].join('\n'));
  });

  it('prints the header alone when there are no rows', () => {
    expect(renderTable(['A', 'B'], [])).toBe('A  B');
  });
});
